"""``sagemaker-presign hub``: hub content (JumpStart models, notebooks...) on disk.

``hub download`` fetches every file into a folder (resumable, in parallel, through URLs that
expire); ``hub urls`` prints each file's ``local_path<TAB>url`` (credentials: stdout only).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from sagemaker_presign._download import DownloadProgress
from sagemaker_presign._exceptions import InvalidParameterError, PresignError, ServiceError
from sagemaker_presign._hub import (
    CONTENT_TYPES,
    check_content_name,
    check_hub_name,
    check_version,
)

from ._exit import ExitCode, exit_code, fail
from ._flags import PROG, common

ClientFor = Callable[[argparse.Namespace], AbstractContextManager[tuple[Any, Any]]]
_EULA_HINT = (
    "this content is gated behind a licence: --accept-eula accepts the model's end-user "
    "licence agreement (read it first; passing the flag means you accept it)"
)


def add_parser(commands: Any) -> None:
    hub = commands.add_parser(
        "hub",
        help="hub content (JumpStart models, notebooks): download it, or print its URLs",
        epilog=f"exit codes: see {PROG} --help",
    )
    actions = hub.add_subparsers(dest="action", metavar="ACTION", required=True)
    download = actions.add_parser(
        "download", help="download every file into a folder (resumable; parallel)"
    )
    urls = actions.add_parser(
        "urls", help="print local_path<TAB>url per file (the URLs are credentials)"
    )
    for sub in (download, urls):
        sub.add_argument("--hub", required=True, help="the hub's name (SageMakerPublicHub) or ARN")
        sub.add_argument(
            "--type", default="Model", choices=CONTENT_TYPES, help="content type (default Model)"
        )
        sub.add_argument("--name", required=True, help="the hub content's name")
        sub.add_argument("--version", help="the version, d.d.d (default: the latest)")
        sub.add_argument(
            "--accept-eula",
            action="store_true",
            help="accept the model's licence (needed by gated models; it means you accept it)",
        )
    download.add_argument("--to", required=True, metavar="DIR", help="the folder to fill")
    download.add_argument(
        "--max-concurrency",
        type=int,
        default=8,
        metavar="N",
        help="requests at once, 1-64 (default 8)",
    )
    for sub, json_help in (
        (download, "print a JSON summary at the end"),
        (urls, "one JSON object per file: local_path, url, expires_at"),
    ):
        common(sub, waits=None, presigns=False, json_help=json_help, version=False)


def run(args: argparse.Namespace, client_for: ClientFor, long_lived: Callable[[], object]) -> int:
    try:
        check_hub_name(args.hub)
        check_content_name(args.name)
        if args.version is not None:
            check_version(args.version)
    except (InvalidParameterError, TypeError) as error:
        return fail(str(error), ExitCode.USAGE, None)
    shown = _Shown(sys.stderr) if not args.json and sys.stderr is not None else None
    try:
        with client_for(args) as (client, _):
            if args.action == "urls":
                return _urls(client, args)
            long_lived()  # a download may last hours
            summary = client.download_hub_content(
                args.hub,
                args.type,
                args.name,
                to=args.to,
                version=args.version,
                accept_eula=args.accept_eula,
                max_concurrency=args.max_concurrency,
                on_progress=None if shown is None else shown.update,
            )
    except (ValueError, TypeError) as error:  # max_concurrency out of range
        return fail(str(error), ExitCode.USAGE, None)
    except PresignError as error:
        if shown is not None:
            shown.close()
        code = fail(str(error), exit_code(error), None)
        gated = isinstance(error, ServiceError) and _gated(str(error))
        if gated and not args.accept_eula and sys.stderr is not None:
            sys.stderr.write(f"{PROG}: hint: {_EULA_HINT}\n")
        return code
    except KeyboardInterrupt:
        if shown is not None:
            shown.close()
        raise
    if shown is not None:
        shown.close()
    if args.json:
        sys.stdout.write(
            json.dumps(
                {
                    "folder": str(summary.folder),
                    "files": summary.files,
                    "skipped": summary.skipped,
                    "bytes_downloaded": summary.bytes_downloaded,
                    "seconds": round(summary.seconds, 3),
                    "presign_calls": summary.presign_calls,
                }
            )
            + "\n"
        )
    return ExitCode.OK


def _urls(client: Any, args: argparse.Namespace) -> int:
    found = client.create_hub_content_presigned_urls(
        args.hub, args.type, args.name, version=args.version, accept_eula=args.accept_eula
    )
    out = sys.stdout
    for file in found:
        if args.json:
            document = {
                "local_path": file.local_path,
                "url": file.url,
                "expires_at": file.expires_at.isoformat(),
            }
            out.write(json.dumps(document) + "\n")
        else:
            out.write(f"{file.local_path}\t{file.url}\n")
    out.flush()
    return ExitCode.OK


def _gated(message: str) -> bool:
    lowered = message.lower()
    return any(word in lowered for word in ("eula", "license", "licence", "accepteula"))


class _Shown:
    """Progress on stderr: one redrawn line on a terminal, else a line every 5 seconds."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last = 0.0
        self._open = False

    def update(self, progress: DownloadProgress) -> None:
        now = time.monotonic()
        if not self._tty and now - self._last < 5 and progress.files_done < progress.files_total:
            return
        self._last = now
        total = "?" if progress.bytes_total is None else _size(progress.bytes_total)
        eta = "" if progress.eta_seconds is None else f", ETA {int(progress.eta_seconds)}s"
        line = (
            f"files {progress.files_done}/{progress.files_total}, "
            f"{_size(progress.bytes_done)} of {total}, "
            f"{_size(int(progress.bytes_per_second))}/s{eta}"
        )
        if self._tty:
            self._stream.write(f"\r{line}\x1b[K")
            self._open = True
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._open:
            self._stream.write("\n")
            self._stream.flush()
            self._open = False


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
