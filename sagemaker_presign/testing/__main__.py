"""``python -m sagemaker_presign.testing``: run a LocalSageMaker until interrupted.

Prints the endpoint URL as its first line of output, so another process (a benchmark, a test
in another language, a demo) can read it and point its client there; on stderr, how to point
the AWS CLI, boto3 and the AWS SDK for JavaScript at it.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
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
    args = parser.parse_args(argv)
    if args.transition_polls < 0 or (args.transition_seconds or 0) < 0:
        parser.error("--transition-polls and --transition-seconds cannot be negative")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signal, _frame: stop.set())
    with LocalSageMaker(
        region_name=args.region,
        port=args.port,
        transition_polls=args.transition_polls,
        transition_seconds=args.transition_seconds,
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
