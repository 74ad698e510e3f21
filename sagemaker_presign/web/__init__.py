"""Mint on click: a WSGI app that redirects to a fresh presigned URL, for internal portals.

A portal, a wiki or a bookmark cannot hold a presigned URL: it dies in minutes. Link to this
app instead; it checks who is asking (`authorize` is mandatory), mints a URL per click and
answers ``303 See Other`` with ``Cache-Control: no-store``. Standard library only: it mounts in
Flask, Django or any WSGI server, and runs on ``wsgiref`` (``sagemaker-presign serve``).
See docs/web.md for the deployment recipes and the security model.
"""

from ._app import Authorize, Target, WSGIApp, allow_users, create_app, trusted_header
from ._serve import serve

__all__ = ["Authorize", "Target", "WSGIApp", "allow_users", "create_app", "serve", "trusted_header"]
