"""``sagemaker-presign serve``: the mint-on-click web app on wsgiref, for a team or a demo."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sagemaker_presign._configuration import is_loopback

from ._flags import PROG

if TYPE_CHECKING:
    from sagemaker_presign._client import PresignClient
    from sagemaker_presign.web import Authorize

#: The environment variable holding the CSRF secret shared by every replica.
SECRET_VARIABLE = "SAGEMAKER_PRESIGN_WEB_SECRET"  # noqa: S105 (a name, not a secret)
_CONFIGURATION_ERROR = 6  # ExitCode.CONFIGURATION


def run_server(
    parser: argparse.ArgumentParser,
    args: argparse.Namespace,
    client_for: Callable[[argparse.Namespace], Any],
) -> int:
    """Serve until interrupted; refuse to start without a way to authorize requests."""
    if not args.trust_header:
        parser.error(
            "serve needs --trust-header NAME (the header your authenticating proxy sets): "
            "without authorization it refuses to start"
        )
    from sagemaker_presign.web import create_app, serve, trusted_header
    from sagemaker_presign.web._csrf import secret_bytes

    identity = trusted_header(args.trust_header)
    try:
        grants = _read_map(args.policy, "--policy") if args.policy else None
        profiles = _read_map(args.studio_profile_map, "--studio-profile-map")
        secret = os.environ.get(SECRET_VARIABLE) or None
        if secret is not None:
            secret_bytes(secret)
    except ValueError as exc:
        parser.error(str(exc))
    profile_for = None
    if args.studio_profile_from_identity:
        profile_for = identity
    elif args.studio_profile_map:
        profile_for = _profile_lookup(identity, profiles)
    hosts = args.allowed_host or [args.host, "localhost"]
    _log_requests()
    with client_for(args) as (client, _):
        authorize = _authorize(args, identity, client, grants)
        app = create_app(
            client,
            authorize=authorize,
            identity=identity,
            studio_profile_for=profile_for,
            secret=secret,
            allowed_hosts=hosts,
        )
        try:
            server = serve(app, args.host, args.port)
        except OSError as exc:
            why = "the port is in use" if exc.errno == 98 else (exc.strerror or str(exc))
            sys.stderr.write(f"{PROG}: error: cannot listen on {args.host}:{args.port}: {why}\n")
            return _CONFIGURATION_ERROR
        host, port = server.server_address[:2]
        if args.local:
            _say_local_routes(client)
        _say_what_is_served(args, str(host), int(port), hosts, secret is not None)
        sys.stderr.flush()
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
        server.server_close()
    return 0


def _authorize(
    args: argparse.Namespace,
    identity: Callable[[Any], str | None],
    client: PresignClient,
    grants: dict[str, list[str]] | None,
) -> Authorize:
    """Admission (--allow) and, when given, a per-resource policy (--owner-tag, --policy:
    either one allowing is enough)."""
    from sagemaker_presign.web import (
        all_of,
        allow_map,
        allow_users,
        any_of,
        owner_tag,
        trusted_header,
    )

    resource: list[Authorize] = []
    if args.owner_tag:
        resource.append(owner_tag(identity, client, args.owner_tag))
    if grants is not None:
        groups: Callable[[Any], list[str]] | None = None
        if args.groups_header:
            header = trusted_header(args.groups_header)

            def groups_of(environ: Any) -> list[str]:
                return [g.strip() for g in (header(environ) or "").split(",") if g.strip()]

            groups = groups_of

        resource.append(allow_map(identity, grants, groups=groups))
    admission = allow_users(identity, args.allow)
    if not resource:
        sys.stderr.write(
            "warning: no --owner-tag or --policy: every admitted person can open every "
            "resource this server's AWS identity can reach\n"
        )
        return admission
    return all_of(admission, any_of(*resource))


def _read_map(path: str | None, flag: str) -> dict[str, Any]:
    """A JSON (or, on Python 3.11+, TOML) object from *path*; ValueError saying what is wrong."""
    if path is None:
        return {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{flag}: cannot read {path}: {exc}") from None
    try:
        if path.endswith(".toml"):
            import tomllib  # type: ignore[import-not-found,unused-ignore]

            value: object = tomllib.loads(text)
        else:
            value = json.loads(text)
    except ImportError:
        raise ValueError(f"{flag}: TOML needs Python 3.11 or newer; write it as JSON") from None
    except ValueError as exc:
        raise ValueError(f"{flag}: {path} is not valid: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{flag}: {path} must hold an object (a map of names)")
    checked: dict[str, Any] = {}
    for key, entry in value.items():  # pyright: ignore[reportUnknownVariableType]
        if flag == "--policy":
            if not isinstance(entry, list) or not all(isinstance(p, str) for p in entry):  # pyright: ignore[reportUnknownVariableType]
                raise ValueError(f"{flag}: the entry for {key!r} must be a list of patterns")
        elif not isinstance(entry, str):
            raise ValueError(f"{flag}: the profile of {key!r} must be a string")
        checked[str(key)] = entry  # pyright: ignore[reportUnknownArgumentType]
    if flag == "--policy":
        from sagemaker_presign.web import allow_map

        allow_map(lambda environ: None, checked)  # the patterns checked now, not per click
    return checked


def _profile_lookup(
    identity: Callable[[Any], str | None], profiles: dict[str, Any]
) -> Callable[[Any], str | None]:
    def profile_for(environ: Any) -> str | None:
        who = identity(environ)
        return None if who is None else profiles.get(who)

    return profile_for


def _log_requests() -> None:
    """One line per request on stderr, once, whatever -v adds to the package's logger."""
    logger = logging.getLogger("sagemaker_presign.web")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _say_what_is_served(
    args: argparse.Namespace, host: str, port: int, hosts: list[str], shared: bool
) -> None:
    if not is_loopback(args.host):
        sys.stderr.write(
            f"warning: listening on {args.host}: put this server behind the authenticating "
            f"proxy that sets {args.trust_header}, and let nothing else reach it\n"
        )
    secret = "shared" if shared else f"this process's own (set {SECRET_VARIABLE} for replicas)"
    sys.stderr.write(
        f"serving on http://{host}:{port} ({', '.join(_routes())}); "
        f"trusting {args.trust_header}; answering Host {', '.join(hosts)}; "
        f"CSRF secret: {secret}; Ctrl-C stops it\n"
    )


def _routes() -> list[str]:
    """Each door's route, from its record: ``/notebook/<notebook_instance_name>``."""
    from sagemaker_presign._doors import DOORS

    routes: list[str] = []
    for name, door in DOORS.items():
        if door.web is not None:
            parts = [f"/<{segment}>" for segment in door.web.segments]
            optional = "".join(f"[{part}" for part in parts[door.web.required :])
            closing = "]" * (len(parts) - door.web.required)
            routes.append(f"/{name}{''.join(parts[: door.web.required])}{optional}{closing}")
    return routes


def _say_local_routes(client: PresignClient) -> None:
    """What the stand-in holds, as routes a newcomer can click."""
    from sagemaker_presign._exceptions import UnsupportedOperationError

    lines = [f"  /notebook/{n.name}  ({n.status})" for n in client.list_notebook_instances()]
    for domain in client.list_domains():
        lines.extend(
            f"  /studio/{domain.domain_id}/{p.name}  (domain {domain.name}; {p.status})"
            for p in client.list_user_profiles(domain.domain_id)
        )
    with contextlib.suppress(UnsupportedOperationError):  # a botocore without MLflow
        servers = client.list_mlflow_tracking_servers()
        lines.extend(f"  /mlflow/{s.name}  ({s.status})" for s in servers)
    sys.stderr.write("the local stand-in holds:\n" + "\n".join(lines) + "\n")
