"""``python -m sagemaker_presign.testing``: run a LocalSageMaker until interrupted.

Prints the endpoint URL as its first line of output, so another process (a benchmark, a test
in another language, a demo) can read it and point its client there; on stderr, how to point
the AWS CLI, boto3 and the AWS SDK for JavaScript at it.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import ssl
import sys
import threading
from collections.abc import Sequence

from ._local import LocalSageMaker


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGINT or SIGTERM; the exit status is 0."""
    parser = argparse.ArgumentParser(
        prog="python -m sagemaker_presign.testing",
        description="Serve a local SageMaker endpoint on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--region", default="us-east-1", help="region the URLs name")
    parser.add_argument("--port", type=int, default=0, help="port to bind (default: a free one)")
    parser.add_argument(
        "--notebook",
        action="append",
        default=[],
        metavar="NAME[:STATUS]",
        help="a notebook instance to hold (repeatable; status defaults to InService)",
    )
    parser.add_argument(
        "--transition-polls",
        type=int,
        default=2,
        metavar="N",
        help="describes an in-between status (Pending, Stopping, Deleting...) lasts (default 2)",
    )
    parser.add_argument(
        "--transition-seconds",
        type=float,
        metavar="S",
        help="seconds an in-between status lasts, instead of a count of describes",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        metavar="S",
        help="seconds to wait before every answer, like a round trip to a region (default 0)",
    )
    parser.add_argument(
        "--tls-cert",
        metavar="PEM",
        help="serve HTTPS with this certificate chain (clients trust its CA via AWS_CA_BUNDLE)",
    )
    parser.add_argument("--tls-key", metavar="PEM", help="the private key of --tls-cert")
    args = parser.parse_args(argv)
    if min(args.transition_polls, args.transition_seconds or 0, args.latency) < 0:
        parser.error("--transition-polls, --transition-seconds and --latency cannot be negative")
    ssl_context = None
    if args.tls_cert or args.tls_key:
        if not args.tls_cert:
            parser.error("--tls-key goes with --tls-cert")
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        try:
            ssl_context.load_cert_chain(args.tls_cert, args.tls_key)
        except (OSError, ssl.SSLError) as exc:
            parser.error(f"cannot load --tls-cert/--tls-key: {exc}")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signal, _frame: stop.set())
    with LocalSageMaker(
        region_name=args.region,
        port=args.port,
        transition_polls=args.transition_polls,
        transition_seconds=args.transition_seconds,
        ssl_context=ssl_context,
        latency=args.latency,
    ) as sagemaker:
        for spec in args.notebook:
            name, _, status = spec.partition(":")
            sagemaker.add_notebook_instance(name, status=status or "InService")
        sys.stdout.write(sagemaker.endpoint_url + "\n")
        sys.stdout.flush()
        sys.stderr.write(_how_to(sagemaker.endpoint_url, args.region))
        sys.stderr.flush()
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


def _how_to(endpoint: str, region: str) -> str:
    return f"""LocalSageMaker is serving on {endpoint} (region {region}); Ctrl-C stops it.
Any credentials will do: it checks that requests are signed, not by whom.
  AWS CLI:  AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws sagemaker list-notebook-instances \\
              --endpoint-url {endpoint} --region {region}
  boto3:    boto3.client("sagemaker", endpoint_url="{endpoint}", region_name="{region}",
                         aws_access_key_id="x", aws_secret_access_key="x")
  JS SDK:   new SageMakerClient({{ endpoint: "{endpoint}", region: "{region}",
              credentials: {{ accessKeyId: "x", secretAccessKey: "x" }} }})
  or set AWS_ENDPOINT_URL_SAGEMAKER={endpoint} for all three.
"""


if __name__ == "__main__":
    raise SystemExit(main())
