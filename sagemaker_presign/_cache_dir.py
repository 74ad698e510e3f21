"""Where this package keeps its caches (the platform's cache folder), and whether what is in it
can be trusted: what steers requests, certificates or patterns must be the user's own."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

__all__ = ["cache_root", "is_private"]


def cache_root() -> Path:
    """Where the platform keeps caches: XDG on Linux, ~/Library/Caches, %LOCALAPPDATA%."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = str(Path.home() / "Library" / "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sagemaker-presign"


def is_private(info: os.stat_result) -> bool:
    """Owned by this user and writable by no one else (on POSIX; Windows keeps per-user
    folders under %LOCALAPPDATA%)."""
    if sys.platform == "win32":
        return True
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
