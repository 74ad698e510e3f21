"""``sagemaker-presign serve``: the mint-on-click web app on wsgiref, for a team or a demo."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import sys
from collections.abc import Callable
from typing import Any


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
    from .web import allow_users, create_app, serve, trusted_header

    identity = trusted_header(args.trust_header)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    with client_for(args) as (client, _):
        app = create_app(client, authorize=allow_users(identity, args.allow), identity=identity)
        server = serve(app, args.host, args.port)
        host, port = server.server_address[:2]
        if not _is_loopback(args.host):
            sys.stderr.write(
                f"warning: listening on {args.host}: put this server behind the authenticating "
                f"proxy that sets {args.trust_header}, and let nothing else reach it\n"
            )
        sys.stderr.write(
            f"serving on http://{host!s}:{port} (/notebook/NAME, /studio/DOMAIN/PROFILE, "
            f"/mlflow/NAME); trusting {args.trust_header}; Ctrl-C stops it\n"
        )
        sys.stderr.flush()
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
        server.server_close()
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
