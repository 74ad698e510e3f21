"""The command's arguments: one subcommand per door (from its record), ``list``, ``serve`` and
``hub``, and how a bare ``sagemaker-presign NAME`` still means a notebook instance."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from ._flags import EXIT_CODES, PROG, SEE_EXIT_CODES, Parser, VersionAction, common, expires_in
from ._hub import add_parser as add_hub_parser

if TYPE_CHECKING:
    from sagemaker_presign._door import Door, Listing

__all__ = ["EXIT_CODES", "PROG", "build_parser", "normalize", "value_flags"]


def build_parser() -> argparse.ArgumentParser:
    """The command's parser: one subcommand per door, from its record, then list and serve."""
    from sagemaker_presign._doors import DOORS

    parser = Parser(
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
        "--version", action=VersionAction, nargs=0, help="print the version and exit"
    )
    doors = parser.add_subparsers(dest="door", metavar="DOOR")
    for door in DOORS.values():
        if door.cli is not None:
            _door_parser(doors, door)
    _list_parser(doors, {name: door.listing for name, door in DOORS.items() if door.listing})
    _serve_parser(doors)
    add_hub_parser(doors)
    return parser


def _door_parser(doors: Any, door: Door) -> None:
    cli = door.cli
    assert cli is not None
    sub = doors.add_parser(door.name, help=cli.help, epilog=SEE_EXIT_CODES)
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
        expires_in(sub)
    common(sub, waits=None if lifecycle is None else f"it is {lifecycle.ready_word}")


def _list_parser(doors: Any, listings: dict[str, Listing]) -> None:
    listed = list(listings)
    listing = doors.add_parser(
        "list", help="what there is to open: " + ", ".join(listed), epilog=SEE_EXIT_CODES
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
    for own in listings.values():
        for flags, options in own.arguments:
            listing.add_argument(*flags, **options)
    common(
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
        epilog=SEE_EXIT_CODES,
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
    common(serve, waits=None, presigns=False, json_help=None)


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
    if index is None or words[index] not in commands:
        return [_subcommands(parser)[0], *words]  # the first door: notebook instances
    command, rest = words[index], [*words[:index], *words[index + 1 :]]
    # A command with actions of its own (hub download): its action word comes next, the
    # options after it, wherever they stood.
    for sub in _subparsers_of(parser, command):
        actions = set(_subcommands(sub))
        for position, word in enumerate(rest):
            if word in actions and (position == 0 or rest[position - 1] not in takes_value):
                return [command, word, *rest[:position], *rest[position + 1 :]]
    return [command, *rest]


def _subparsers_of(parser: argparse.ArgumentParser, command: str) -> list[argparse.ArgumentParser]:
    """The parser of *command*, if it has actions of its own."""
    found: list[argparse.ArgumentParser] = []
    for action in parser._actions:
        for name, sub in zip(action.choices or (), _subparsers(action), strict=False):
            if name == command and _subcommands(sub):
                found.append(sub)
    return found


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
