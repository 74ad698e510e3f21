"""What the command puts out: the URL on stdout (a terminal hyperlink where one works), JSON,
the browser, the clipboard. Nothing here lets the URL reach a command line or a log."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING

from ._flags import PROG

if TYPE_CHECKING:
    from sagemaker_presign._result import PresignedUrl

#: Clipboard tools, in the order tried; each reads the text on its stdin.
CLIPBOARD_TOOLS = (
    ("pbcopy",),
    ("wl-copy",),
    ("xclip", "-selection", "clipboard"),
    ("xsel", "--clipboard", "--input"),
    ("clip.exe",),
)
# Terminals known to show OSC 8 hyperlinks (FORCE_HYPERLINK=1 / 0 decides when set).
_HYPERLINK_PROGRAMS = ("iTerm.app", "WezTerm", "vscode", "ghostty", "Hyper", "rio")
_HYPERLINK_TERMS = ("xterm-kitty", "foot", "wezterm", "xterm-ghostty")


def supports_hyperlinks(stream: object) -> bool:
    """Whether *stream* is a terminal that shows OSC 8 hyperlinks; never for a pipe or file."""
    isatty = getattr(stream, "isatty", None)
    if not callable(isatty) or not isatty():
        return False
    forced = os.environ.get("FORCE_HYPERLINK")
    if forced is not None:
        return forced not in ("", "0")
    if os.environ.get("TERM_PROGRAM") in _HYPERLINK_PROGRAMS:
        return True
    if os.environ.get("TERM") in _HYPERLINK_TERMS or os.environ.get("WT_SESSION"):
        return True
    vte = os.environ.get("VTE_VERSION", "")
    return vte.isdigit() and int(vte) >= 5000


def hyperlink(url: str) -> str:
    """*url* as an OSC 8 hyperlink whose visible text is the URL itself (copy-paste works)."""
    return f"\x1b]8;;{url}\x1b\\{url}\x1b]8;;\x1b\\"


#: How long the browser has to read the redirect file before it is removed.
REDIRECT_FILE_SECONDS = 60


def open_in_browser(result: PresignedUrl) -> None:
    """Open the URL without putting it on any command line (``/proc/PID/cmdline`` is readable
    by every local user): the browser is given a private (``0600``) file that redirects to the
    URL, removed a minute later by a detached process that knows only its path. The browser's
    own chatter (Chrome writes to stdout) goes to /dev/null, so stdout carries the URL alone."""
    import webbrowser
    from pathlib import Path

    path = _redirect_file(result.url)
    saved = None
    if sys.stdout is not None:
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.close(devnull)
    try:
        opened = webbrowser.open(Path(path).as_uri())
    finally:
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
    if opened:
        _remove_later(path)
    else:
        os.unlink(path)
        if sys.stderr is not None:
            sys.stderr.write(f"{PROG}: warning: no web browser could be opened\n")


def _redirect_file(url: str) -> str:
    """A new ``0600`` HTML file that sends the browser on to *url*, leaving no history entry
    and no Referer."""
    import html
    import tempfile

    handle, path = tempfile.mkstemp(prefix="sagemaker-presign-", suffix=".html")
    script = json.dumps(url).replace("</", "<\\/")
    page = (
        '<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">'
        f'<meta http-equiv="refresh" content="0;url={html.escape(url, quote=True)}">'
        f"<title>Opening...</title><script>location.replace({script})</script>"
    )
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(page)
    return path


def _remove_later(path: str) -> None:
    remover = (
        "import os, sys, time\n"
        "time.sleep(float(sys.argv[2]))\n"
        "try:\n    os.unlink(sys.argv[1])\nexcept OSError:\n    pass\n"
    )
    subprocess.Popen(  # noqa: S603 (our own interpreter, our own code, a path we made)
        [sys.executable, "-c", remover, path, str(REDIRECT_FILE_SECONDS)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        close_fds=True,
    )


#: The fields every result has; the others are its door's (``notebook_instance_name``...).
_BASE_FIELDS = frozenset({"issued_at", "valid_for", "session_duration"})


def identifiers(result: PresignedUrl) -> dict[str, object]:
    """The result's own fields (what it opens), in order, from its dataclass fields."""
    from dataclasses import fields

    return {
        field.name: getattr(result, field.name)
        for field in fields(result)
        if field.init and field.name not in _BASE_FIELDS and not field.name.startswith("_")
    }


def write_result(result: PresignedUrl, *, as_json: bool) -> str | None:
    """Print the result on stdout (a hyperlink on a terminal that shows them); say what went
    wrong if it cannot be written."""
    out = sys.stdout
    if out is None:
        return "stdout is closed"
    if as_json:
        duration = result.session_duration
        document = {
            "url": result.url,
            **identifiers(result),
            "issued_at": result.issued_at.isoformat(),
            "expires_at": result.expires_at.isoformat(),
            "session_duration_seconds": None if duration is None else int(duration.total_seconds()),
        }
        text = json.dumps(document) + "\n"
    elif supports_hyperlinks(out):
        text = hyperlink(result.url) + "\n"
    else:
        text = result.url + "\n"
    try:
        out.write(text)
        out.flush()
    except (OSError, ValueError) as exc:
        # The reader went away (``| head``), the disk is full, fd 1 was closed. Point stdout
        # at /dev/null so that Python's own flush at exit has nothing left to complain about.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
        if isinstance(exc, BrokenPipeError):
            return "the reader closed the pipe"
        return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)
    return None


def copy_to_clipboard(url: str) -> str | None:
    """Copy *url* with the first clipboard tool found, fed on its stdin (a command line is
    readable by every local user); say what went wrong, or None."""
    for tool in CLIPBOARD_TOOLS:
        path = shutil.which(tool[0])
        if path is None:
            continue
        try:
            done = subprocess.run(  # noqa: S603 - a fixed tool found on PATH; the URL on stdin
                [path, *tool[1:]],
                input=url.encode(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=10,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            return f"{tool[0]} failed: {type(exc).__name__}"
        if done.returncode != 0:
            return f"{tool[0]} failed with status {done.returncode}"
        return None
    names = ", ".join(tool[0] for tool in CLIPBOARD_TOOLS)
    return f"no clipboard tool found (looked for {names} on PATH); the URL was not copied"
