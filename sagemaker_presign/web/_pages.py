"""The little HTML the web app shows: a "not ready yet" page that refreshes itself, and a
plain error page. Every value is escaped; none of them is ever a URL's token."""

from __future__ import annotations

import base64
import hashlib
from html import escape

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;"
    "color:#222}h1{font-size:1.4rem}.status{font-weight:600}button{font-size:1rem;"
    "padding:.4rem 1rem}"
)
#: The Content-Security-Policy source that allows the one inline style and nothing else.
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()


def _page(title: str, body: str, *, refresh: int | None = None) -> bytes:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="referrer" content="no-referrer">{meta}'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    ).encode()


def waiting_page(
    subject: str,
    status: str,
    elapsed: str | None,
    *,
    start_form: str | None,
    refresh: int,
) -> bytes:
    """*subject* is not ready: its status, how long we have waited (while it is on its way),
    and a start button when it is stopped and this person may start it."""
    waited = f" ({escape(elapsed)})" if elapsed is not None else ""
    line = f'<p>{escape(subject)} is <span class="status">{escape(status)}</span>{waited}.</p>'
    if start_form is not None:
        action = f"<p>It is stopped. Starting it takes a few minutes.</p>{start_form}"
        return _page("Not running", line + action)
    if elapsed is None:  # stopped, and nobody is signed in to start it
        action = (
            "<p>It is stopped, and starting it needs a signed-in person. "
            f"This page checks again every {refresh} seconds.</p>"
        )
        return _page("Not running", line + action, refresh=refresh)
    action = f"<p>This page checks again every {refresh} seconds and opens it when ready.</p>"
    return _page("Starting\u2026", line + action, refresh=refresh)


def start_form(action: str, token: str) -> str:
    """The POST form (with its CSRF token) that starts a stopped resource."""
    return (
        f'<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="csrf" value="{escape(token)}">'
        "<button type=submit>Start it</button></form>"
    )


def error_page(title: str, detail: str) -> bytes:
    return _page(title, f"<p>{escape(detail)}</p>")
