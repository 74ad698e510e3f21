"""The command's arguments: one subcommand per door, the flags they share, and how a bare
``sagemaker-presign NAME`` still means a notebook instance."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, cast

if TYPE_CHECKING:
    from sagemaker_presign._door import Door

PROG = "sagemaker-presign"
_DURATION = r"(?:(?P<h>[0-9]+)h)?(?:(?P<m>[0-9]+)m)?(?:(?P<s>[0-9]+)s)?"
EXIT_CODES = (
    "exit codes: 0 ok, 1 other failure (stdout closed or full, say), 2 invalid arguments "
    "(nothing sent), 3 not found, 4 credentials or access denied, 5 throttling/network/service "
    "failure, 6 configuration (region, profile, endpoint, botocore too old), 7 not in service, "
    "8 failed, 9 timed out waiting, 130 interrupted"
)
_SEE_EXIT_CODES = f"exit codes: see {PROG} --help"


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


class _VersionAction(argparse.Action):
    """--version, reading the package metadata only when asked (it costs start-up time)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from sagemaker_presign._version import version

        sys.stdout.write(f"{PROG} {version()}\n")
        parser.exit()


_URL_JSON = (
    "print JSON: url, the door's identifiers, issued_at, expires_at, session_duration_seconds"
)


def _common(
    parser: argparse.ArgumentParser,
    *,
    waits: str | None,
    presigns: bool = True,
    json_help: str | None = _URL_JSON,
) -> None:
    """The flags every subcommand takes; *waits* names what --wait waits for (None: no
    waiting); *presigns* adds those about a URL (--duration, --open, --copy, --quiet);
    *json_help* says what --json prints (None: no --json)."""
    parser.add_argument(
        "--version", action=_VersionAction, nargs=0, help="print the version and exit"
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


def _expires_in(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expires-in",
        type=parse_duration,
        metavar="D",
        help="how long the URL can be opened, 5s to 5m: 60s, 2m (default: 5m)",
    )


class _Parser(argparse.ArgumentParser):
    """argparse's parser, whose usage errors are one line, as docs/cli.md promises: no usage
    block first, just what is wrong and where help is (subcommands inherit the class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{PROG}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The command's parser: one subcommand per door, from its record, then list and serve."""
    from sagemaker_presign._doors import DOORS

    parser = _Parser(
        prog=PROG,
        description=(
            "Print a presigned URL that opens a SageMaker notebook instance, Studio, an MLflow "
            "tracking server or app, or a partner app. The URL is a credential and works for "
            "minutes. 'sagemaker-presign NAME' means 'sagemaker-presign notebook NAME'; a "
            "notebook instance named like a subcommand needs the word notebook."
        ),
        epilog=EXIT_CODES,
    )
    parser.add_argument(
        "--version", action=_VersionAction, nargs=0, help="print the version and exit"
    )
    doors = parser.add_subparsers(dest="door", metavar="DOOR")
    for door in DOORS.values():
        if door.cli is not None:
            _door_parser(doors, door)
    _list_parser(doors, [name for name, door in DOORS.items() if door.listing is not None])
    _serve_parser(doors)
    return parser


def _door_parser(doors: Any, door: Door) -> None:
    cli = door.cli
    assert cli is not None
    sub = doors.add_parser(door.name, help=cli.help, epilog=_SEE_EXIT_CODES)
    groups: dict[str, Any] = {}
    for flags, options in cli.arguments:
        kwargs = dict(options)
        group = kwargs.pop("group", None)
        kwargs.pop("param", None)  # which parameter a positional stands for: see _main
        target = sub
        if group is not None:
            if group not in groups:
                groups[group] = sub.add_mutually_exclusive_group()
            target = groups[group]
        target.add_argument(*flags, **kwargs)
    lifecycle = door.lifecycle
    if lifecycle is not None and lifecycle.start is not None:
        sub.add_argument(
            "--start",
            action="store_true",
            help=f"start it if it is {'/'.join(sorted(lifecycle.startable))} (implies --wait)",
        )
    if door.expires:
        _expires_in(sub)
    _common(sub, waits=None if lifecycle is None else f"it is {lifecycle.ready_word}")


def _list_parser(doors: Any, listed: list[str]) -> None:
    listing = doors.add_parser(
        "list", help="what there is to open: " + ", ".join(listed), epilog=_SEE_EXIT_CODES
    )
    listing.add_argument(
        "what",
        nargs="?",
        default=listed[0],
        choices=listed,
        help=f"which door's resources (default: {listed[0]}); studio lists domains with "
        "their user profiles and spaces",
    )
    listing.add_argument("--status", help="only those in this status (InService, Stopped...)")
    listing.add_argument("--name-contains", metavar="TEXT", help="only names holding TEXT")
    _common(
        listing,
        waits=None,
        presigns=False,
        json_help="one JSON object per line: kind, name, status, type, created (ISO 8601), and "
        "domain_id (Studio), owner (spaces) or arn (apps) where they apply",
    )


def _serve_parser(doors: Any) -> None:
    serve = doors.add_parser(
        "serve",
        help="a web app that mints a fresh URL per click (for portals and wikis)",
        description="Serve /notebook/NAME, /studio/DOMAIN/PROFILE[/SPACE] and /mlflow/NAME: "
        "each click is checked, gets a fresh presigned URL and a 303 redirect. Run it behind an "
        "authenticating proxy that sets --trust-header: the header is only trustworthy when "
        "nothing but that proxy can reach this server.",
        epilog=_SEE_EXIT_CODES,
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: 127.0.0.1; anything else must sit behind the proxy)",
    )
    serve.add_argument("--port", type=int, default=8080, help="port to bind (default: 8080)")
    serve.add_argument(
        "--trust-header",
        metavar="NAME",
        help="the header your authenticating proxy sets to the user (X-Forwarded-User...); "
        "required: without it the server refuses to start",
    )
    serve.add_argument(
        "--allow",
        action="append",
        metavar="USER",
        help="let in only these users (repeatable; default: anyone the proxy authenticated)",
    )
    serve.add_argument(
        "--owner-tag",
        metavar="KEY",
        help="let a person open only resources tagged KEY=<their identity> (read with ListTags)",
    )
    serve.add_argument(
        "--policy",
        metavar="FILE",
        help='a JSON (or TOML) map of who may open what: {"alice": ["notebook:alice-*"], '
        '"group:ml": ["mlflow:*"], "*": ["studio:*/{user}"]}',
    )
    serve.add_argument(
        "--groups-header",
        metavar="NAME",
        help="the header your proxy sets to the user's groups, comma-separated (for --policy)",
    )
    profile_map = serve.add_mutually_exclusive_group()
    profile_map.add_argument(
        "--studio-profile-from-identity",
        action="store_true",
        help="each person opens only the Studio user profile named like their identity",
    )
    profile_map.add_argument(
        "--studio-profile-map",
        metavar="FILE",
        help='each person opens only their Studio user profile: a JSON map {"alice": "alice-p"}',
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        metavar="HOST",
        help="answer requests for this Host (repeatable; default: the bound address and "
        "localhost); others get 421. The CSRF secret comes from SAGEMAKER_PRESIGN_WEB_SECRET",
    )
    _common(serve, waits=None, presigns=False, json_help=None)


def value_flags(parser: argparse.ArgumentParser) -> frozenset[str]:
    """Every flag of every subcommand that takes a value (``--region``, ``--space``...)."""
    flags: set[str] = set()
    for action in parser._actions:  # argparse has no public walk
        for sub in _subparsers(action):
            flags |= value_flags(sub)
        if action.option_strings and action.nargs != 0:
            flags.update(action.option_strings)
    return frozenset(flags)


def normalize(argv: Sequence[str], parser: argparse.ArgumentParser) -> list[str]:
    """*argv* with its door first: a bare NAME (or none) means ``notebook``.

    The first word that is neither a flag nor a flag's value decides; options may stand
    before it (``--region eu-west-1 studio ...``).
    """
    words = list(argv)
    takes_value = value_flags(parser)
    commands = set(_subcommands(parser))
    if words in (["-h"], ["--help"], ["--version"]):
        return words
    index, skip = None, False
    for position, word in enumerate(words):
        if skip:
            skip = False
        elif word == "--":
            break
        elif word.startswith("-"):
            skip = word in takes_value
        else:
            index = position
            break
    if index is not None and words[index] in commands:
        return [words[index], *words[:index], *words[index + 1 :]]
    return [_subcommands(parser)[0], *words]  # the first door: notebook instances


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    words: list[str] = []
    for action in parser._actions:
        if _subparsers(action):
            words.extend(str(word) for word in action.choices or ())
    return words


def _subparsers(action: argparse.Action) -> list[argparse.ArgumentParser]:
    """The subcommands' parsers, for the action that holds them (none for any other)."""
    choices: object = action.choices
    if action.option_strings or not isinstance(choices, dict):
        return []
    values: list[object] = list(cast("dict[str, object]", choices).values())
    return [sub for sub in values if isinstance(sub, argparse.ArgumentParser)]
