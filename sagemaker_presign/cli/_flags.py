"""The flags every subcommand shares, durations as people write them, and the parser class whose
usage errors are one line."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    pass

PROG = "sagemaker-presign"
_DURATION = r"(?:(?P<h>[0-9]+)h)?(?:(?P<m>[0-9]+)m)?(?:(?P<s>[0-9]+)s)?"
EXIT_CODES = (
    "exit codes: 0 ok, 1 other failure (stdout closed or full, say), 2 invalid arguments "
    "(nothing sent), 3 not found, 4 credentials or access denied, 5 throttling/network/service "
    "failure, 6 configuration (region, profile, endpoint, botocore too old), 7 not in service, "
    "8 failed, 9 timed out waiting, 130 interrupted"
)
SEE_EXIT_CODES = f"exit codes: see {PROG} --help"


def parse_duration(text: str) -> int:
    """Parse ``3600``, ``90m``, ``2h``, ``1h30m`` or ``45s`` into whole seconds."""
    text = text.strip().lower()
    if len(text) > 20:  # a number of thousands of digits cannot even be converted
        raise argparse.ArgumentTypeError(f"invalid duration {text[:20]!r}...: far too long")
    if text.isascii() and text.isdigit():  # str.isdigit alone takes "١٨٠٠" and "²"
        return int(text)
    match = re.fullmatch(_DURATION, text)
    if not text or match is None:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use seconds (3600) or units h/m/s (2h, 90m, 1h30m)"
        )
    hours, minutes, seconds = (int(match.group(unit) or 0) for unit in "hms")
    return hours * 3600 + minutes * 60 + seconds


class VersionAction(argparse.Action):
    """--version, reading the package metadata only when asked (it costs start-up time)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from sagemaker_presign._version import version

        sys.stdout.write(f"{PROG} {version()}\n")
        parser.exit()


_URL_JSON = (
    "print JSON: url, the door's identifiers, issued_at, expires_at, session_duration_seconds"
)


def common(
    parser: argparse.ArgumentParser,
    *,
    waits: str | None,
    presigns: bool = True,
    json_help: str | None = _URL_JSON,
    version: bool = True,
) -> None:
    """The flags every subcommand takes; *waits* names what --wait waits for (None: no
    waiting); *presigns* adds those about a URL (--duration, --open, --copy, --quiet);
    *json_help* says what --json prints (None: no --json); *version* False leaves --version
    to the subcommand (hub content has versions)."""
    if version:
        parser.add_argument(
            "--version", action=VersionAction, nargs=0, help="print the version and exit"
        )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log what happens on stderr, secrets redacted: -v this package, -vv botocore too",
    )
    parser.add_argument(
        "--region", help="AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)"
    )
    parser.add_argument(
        "--profile", help="AWS profile from the shared config (default: AWS_PROFILE)"
    )
    parser.add_argument("--endpoint-url", metavar="URL", help="send requests to this endpoint")
    if json_help is not None:
        parser.add_argument("--json", action="store_true", help=json_help)
    parser.add_argument(
        "--local",
        action="store_true",
        help="run offline against a LocalSageMaker on 127.0.0.1 holding what is named (a demo)",
    )
    if not presigns:
        return
    parser.add_argument(
        "--duration",
        type=parse_duration,
        metavar="D",
        help="session length once opened, 30m to 12h: 3600, 90m, 2h (default: 12h)",
    )
    if waits is not None:
        parser.add_argument(
            "--wait", action="store_true", help=f"wait until {waits} before presigning"
        )
        parser.add_argument(
            "--timeout",
            type=parse_duration,
            metavar="D",
            help="give up waiting after D: 15m, 1h, 900",
        )
        parser.add_argument(
            "--poll-interval",
            type=parse_duration,
            metavar="D",
            help="how often to check the status while waiting (default: 10s)",
        )
    parser.add_argument(
        "--open", action="store_true", help="open the URL in the default web browser"
    )
    parser.add_argument(
        "--copy",
        action="store_true",
        help="copy the URL to the clipboard (pbcopy, wl-copy, xclip, xsel or clip.exe; "
        "the URL goes on the tool's stdin, never on a command line)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print neither the URL nor progress (errors still go to stderr)",
    )


def expires_in(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expires-in",
        type=parse_duration,
        metavar="D",
        help="how long the URL can be opened, 5s to 5m: 60s, 2m (default: 5m)",
    )


class Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors are one line, as docs/cli.md promises: no usage
    block first, just what is wrong and where help is (subcommands inherit the class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {' '.join(message.split())} (see {self.prog} --help)\n")
