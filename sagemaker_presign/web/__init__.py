"""Mint on click: a WSGI app that redirects to a fresh presigned URL, for internal portals.

A portal, a wiki or a bookmark cannot hold a presigned URL: it dies in minutes. Link to this
app instead; it checks who is asking and whether they may open what they clicked (`authorize`
is mandatory: admission with `allow_users`, per resource with `allow_map` or `owner_tag`),
mints a URL per click and answers ``303 See Other`` with ``Cache-Control: no-store``.
Standard library only: it mounts in Flask, Django or any WSGI server, runs under gunicorn or
on AWS Lambda through a WSGI adapter, and on ``wsgiref`` (``sagemaker-presign serve``).
See docs/web.md for the deployment recipes and the security model.
"""

from ._app import LOOPBACK_HOSTS, WSGIApp, create_app
from ._policy import (
    Authorize,
    Target,
    all_of,
    allow_map,
    allow_users,
    any_of,
    owner_tag,
    trusted_header,
)
from ._serve import serve

__all__ = [
    "LOOPBACK_HOSTS",
    "Authorize",
    "Target",
    "WSGIApp",
    "all_of",
    "allow_map",
    "allow_users",
    "any_of",
    "create_app",
    "owner_tag",
    "serve",
    "trusted_header",
]
