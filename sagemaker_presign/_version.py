"""The installed distribution's version, read from its metadata once and only when asked."""

from __future__ import annotations

from functools import cache


@cache
def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as distribution_version

    try:
        return distribution_version("sagemaker-presign")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"
