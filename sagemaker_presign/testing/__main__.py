"""``python -m sagemaker_presign.testing``: run a LocalSageMaker until interrupted.

Prints the endpoint URL as its first line of output, so another process (a benchmark, a test
in another language, a demo) can read it and point its client there.
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
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signal, _frame: stop.set())
    with LocalSageMaker(region_name=args.region, port=args.port) as sagemaker:
        for spec in args.notebook:
            name, _, status = spec.partition(":")
            sagemaker.add_notebook_instance(name, status=status or "InService")
        sys.stdout.write(sagemaker.endpoint_url + "\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
