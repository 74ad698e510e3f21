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
        "--studio",
        action="append",
        default=[],
        metavar="DOMAIN/PROFILE[/SPACE][:STATUS]",
        help="a Studio user profile (and space) to hold, in a domain given by ID (d-...) or "
        "name (repeatable; status defaults to InService)",
    )
    parser.add_argument(
        "--mlflow",
        action="append",
        default=[],
        metavar="NAME[:STATUS]",
        help="an MLflow tracking server to hold (repeatable; status defaults to Started)",
    )
    parser.add_argument(
        "--mlflow-app",
        action="append",
        default=[],
        metavar="NAME",
        help="an MLflow app to hold (repeatable); its ARN is printed on stderr",
    )
    parser.add_argument(
        "--partner-app",
        action="append",
        default=[],
        metavar="NAME",
        help="a partner app to hold (repeatable); its ARN is printed on stderr",
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
        try:
            held = _hold(sagemaker, args)
        except (ValueError, KeyError) as exc:
            parser.error(str(exc))
        sys.stdout.write(sagemaker.endpoint_url + "\n")
        sys.stdout.flush()
        sys.stderr.write(_how_to(sagemaker.endpoint_url, args.region) + held)
        sys.stderr.flush()
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


def _hold(sagemaker: LocalSageMaker, args: argparse.Namespace) -> str:
    """Add what the flags name; return the lines that say what is held (ARNs included)."""
    said: list[str] = []
    for spec in args.notebook:
        name, _, status = spec.partition(":")
        sagemaker.add_notebook_instance(name, status=status or "InService")
        said.append(f"  notebook instance {name}")
    domains: dict[str, str] = {}
    for spec in args.studio:
        path, _, status = spec.partition(":")
        parts = path.split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"--studio {spec!r}: write DOMAIN/PROFILE[/SPACE][:STATUS]")
        domain = parts[0]
        if domain not in domains:
            is_id = domain.startswith("d-")
            added = sagemaker.add_domain(domain if is_id else None, name=domain)
            domains[domain] = added.domain_id
        sagemaker.add_user_profile(domains[domain], parts[1], status=status or "InService")
        if len(parts) == 3:
            sagemaker.add_space(domains[domain], parts[2], status=status or "InService")
        said.append(f"  Studio {'/'.join([domains[domain], *parts[1:]])} (domain {domain})")
    for spec in args.mlflow:
        name, _, status = spec.partition(":")
        sagemaker.add_mlflow_tracking_server(name, status=status or "Started")
        said.append(f"  MLflow tracking server {name}")
    for name in args.mlflow_app:
        said.append(f"  MLflow app {sagemaker.add_mlflow_app(name).arn}")
    for name in args.partner_app:
        said.append(f"  partner app {sagemaker.add_partner_app(name).arn}")
    return "It holds:\n" + "\n".join(said) + "\n" if said else ""


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
