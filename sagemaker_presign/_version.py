"""The package's version: the one source (pyproject.toml reads it from here at build time).

A constant rather than a lookup in the installed metadata, which scans sys.path: every client
puts the version in its User-Agent, so every cold start would pay for the scan.
"""

from __future__ import annotations

__version__ = "0.1.0"


def version() -> str:
    return __version__
