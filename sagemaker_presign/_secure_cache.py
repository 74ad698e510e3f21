"""Reading and writing files under the cache folder without trusting anyone but the user.

Every folder from the cache root down to the file is opened with ``O_NOFOLLOW`` relative to
its parent's descriptor and checked on that descriptor (``fstat``): a directory, owned by this
user, writable by no one else. The file is opened the same way and checked on its own
descriptor, so a file or folder swapped for a symlink or for someone else's after a check is
never what is read. Files are written under a random name created exclusively (``O_EXCL``,
mode ``0600``, as ``mkstemp`` does) in a checked folder and renamed into place; folders are
created ``0700``. Any doubt raises `UntrustedCacheError`: the caller then works in memory and
writes nothing. Platforms that cannot open relative to a folder's descriptor (Windows) are
always in doubt.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Generator, Sequence
from pathlib import Path

from ._cache_dir import is_private

__all__ = ["SecureCache", "UntrustedCacheError"]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_SUPPORTED = bool(_NOFOLLOW and _DIRECTORY) and os.open in os.supports_dir_fd
# What opening a symlink with O_NOFOLLOW, or a file as a folder, fails with.
_NOT_PLAIN = (errno.ELOOP, errno.ENOTDIR, errno.EMLINK)


class UntrustedCacheError(Exception):
    """Something in the cache folder is not plainly the user's own: use nothing from it."""


class SecureCache:
    """Files under ``<root>/<folder>/``, each named by its path parts below that folder."""

    def __init__(self, root: Path, folder: str) -> None:
        self.root = root
        self.folder = folder

    def subfolders(self, parts: Sequence[str]) -> list[str] | None:
        """The names of the folders in *parts*; None when it does not exist."""
        try:
            with self._opened([self.folder, *parts]) as folder, os.scandir(folder) as entries:
                return [e.name for e in entries if e.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            return None

    def read(self, parts: Sequence[str]) -> bytes | None:
        """The file's bytes; None when it (or a folder on the way) does not exist."""
        try:
            with self._opened([self.folder, *parts[:-1]]) as folder:
                descriptor = _open(parts[-1], os.O_RDONLY, folder)
        except FileNotFoundError:
            return None
        with os.fdopen(descriptor, "rb") as stream:
            _check(os.fstat(descriptor), stat.S_ISREG, parts[-1])
            return stream.read()

    def write(self, parts: Sequence[str], data: bytes) -> None:
        """Write the file atomically, creating the folders on the way (``0700``)."""
        with self._opened([self.folder, *parts[:-1]], create=True) as folder:
            temporary = f".tmp-{secrets.token_hex(8)}"
            descriptor = _open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, folder, 0o600)
            try:
                with os.fdopen(descriptor, "wb") as stream:
                    stream.write(data)
                os.replace(temporary, parts[-1], src_dir_fd=folder, dst_dir_fd=folder)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary, dir_fd=folder)
                raise

    @contextlib.contextmanager
    def _opened(self, parts: Sequence[str], *, create: bool = False) -> Generator[int, None, None]:
        """A descriptor of the folder root/parts..., every folder on the way checked."""
        if not _SUPPORTED:
            raise UntrustedCacheError("this platform cannot check the cache folder safely")
        if create:
            self.root.parent.mkdir(parents=True, exist_ok=True)
        current = self._folder(str(self.root), None, create)
        try:
            for part in parts:
                child = self._folder(part, current, create)
                os.close(current)
                current = child
            yield current
        finally:
            os.close(current)

    @staticmethod
    def _folder(name: str, parent: int | None, create: bool) -> int:
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o700, dir_fd=parent)
        descriptor = _open(name, os.O_RDONLY | _DIRECTORY, parent)
        try:
            _check(os.fstat(descriptor), stat.S_ISDIR, name)
        except BaseException:
            os.close(descriptor)
            raise
        return descriptor


def _open(name: str, flags: int, folder: int | None, mode: int = 0o600) -> int:
    try:
        return os.open(name, flags | _NOFOLLOW | _CLOEXEC, mode, dir_fd=folder)
    except OSError as error:
        if error.errno in _NOT_PLAIN:
            raise UntrustedCacheError(f"{name} is a symlink or not what it should be") from None
        if isinstance(error, FileNotFoundError):
            raise
        raise UntrustedCacheError(f"{name}: {error.strerror}") from None


def _check(info: os.stat_result, kind: Callable[[int], bool], name: str) -> None:
    if not kind(info.st_mode) or not is_private(info):
        what = "folder" if kind is stat.S_ISDIR else "file"
        raise UntrustedCacheError(f"{name} is not a private {what} of this user")
