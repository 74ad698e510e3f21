"""A CA bundle as a hashed directory, so that a one-shot command reads one certificate, not all.

OpenSSL takes trusted certificates from a file, parsed whole when it is loaded (~15 ms for
certifi's 117 certificates: the largest single cost of a cold HTTPS run), or from a directory
of files named after the hash of each certificate's subject, read only when a chain needs that
issuer: usually one file. `hashed_dir` makes that directory for a bundle, once per bundle
content, in the cache folder. The names come from OpenSSL's own subject hash, called through
ctypes in the libcrypto that Python's ``ssl`` uses, at build time only: lookups cannot
disagree with them.

The trusted set is the bundle's, certificate for certificate; only when each is read changes.
So that a long-lived process never depends on files in a cache folder, only the console
script's one-shot runs use it (`_ca_bundle`). Anything unusual returns None, and the bundle is
loaded whole as always: a bundle holding more than plain certificates (CRLs, OpenSSL's trusted
certificates with their trust settings), a certificate OpenSSL cannot parse, no hash function
(Windows, or a Python whose ``_ssl`` hides libcrypto), a folder that cannot be written, or one
that another user could write to.
"""

from __future__ import annotations

import binascii
import contextlib
import hashlib
import os
import re
import shutil
import stat
from collections.abc import Callable

from ._cache_dir import is_private

__all__ = ["hashed_dir"]

_MARKER = "complete"  # written last: a folder without it is not used
_PEM_BLOCK = rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----"
_PEM_BEGIN = rb"-----BEGIN "


def hashed_dir(bundle: str, root: str) -> str | None:
    """The hashed directory of *bundle* under *root*, made if needed; None when the bundle
    must be loaded whole (see above)."""
    try:
        with open(bundle, "rb") as stream:
            content = stream.read()
        folder = os.path.join(root, "ca", hashlib.sha256(content).hexdigest()[:32])
        if _usable(folder):
            return folder
        return _build(content, folder)
    except (OSError, ValueError):
        return None


def _usable(folder: str) -> bool:
    """Ours, complete, and writable by nobody else."""
    try:
        info = os.stat(folder)
        os.stat(os.path.join(folder, _MARKER))
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and is_private(info)


def _build(content: bytes, folder: str) -> str | None:
    certificates = _certificates(content)
    subject_hash = _subject_hasher()
    if not certificates or subject_hash is None:
        return None
    files: dict[str, bytes] = {}
    for der in certificates:
        digest = subject_hash(der)
        if digest is None:
            return None  # OpenSSL cannot parse it: loading the whole bundle says so, as always
        suffix = 0
        while f"{digest:08x}.{suffix}" in files:
            suffix += 1  # same subject (a renewed or cross-signed CA): OpenSSL reads .0, .1...
        files[f"{digest:08x}.{suffix}"] = _pem(der)
    temporary = f"{folder}.{os.getpid()}.tmp"
    try:
        os.makedirs(temporary, mode=0o700)
        for name, pem in files.items():
            with open(os.path.join(temporary, name), "wb") as stream:
                stream.write(pem)
        with open(os.path.join(temporary, _MARKER), "w", encoding="ascii") as stream:
            stream.write(f"{len(files)}\n")
        os.chmod(temporary, 0o700)  # whatever the umask
        # Fails if another run made it first: theirs is as good, if complete (checked below).
        with contextlib.suppress(OSError):
            os.rename(temporary, folder)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)
    return folder if _usable(folder) else None


def _certificates(content: bytes) -> list[bytes] | None:
    """The DER of each certificate in a PEM bundle; None if it holds anything else."""
    blocks = re.findall(_PEM_BLOCK, content, re.DOTALL)
    if len(blocks) != content.count(_PEM_BEGIN):
        return None  # a block we could not read whole
    certificates: list[bytes] = []
    for label, body in blocks:
        if label != b"CERTIFICATE":
            return None
        try:
            certificates.append(binascii.a2b_base64(body))
        except binascii.Error:
            return None
    return certificates


def _pem(der: bytes) -> bytes:
    text = binascii.b2a_base64(der, newline=False)
    lines = b"\n".join(text[i : i + 64] for i in range(0, len(text), 64))
    return b"-----BEGIN CERTIFICATE-----\n" + lines + b"\n-----END CERTIFICATE-----\n"


def _subject_hasher() -> Callable[[bytes], int | None] | None:
    """OpenSSL's subject-name hash (what its directory lookups use), from the libcrypto that
    ``_ssl`` is linked with; None where it cannot be reached."""
    try:
        import _ssl
        import ctypes

        library = ctypes.CDLL(_ssl.__file__)
        parse = library.d2i_X509
        subject = library.X509_get_subject_name
        free = library.X509_free
    except (ImportError, OSError, AttributeError):
        return None
    parse.restype = ctypes.c_void_p
    parse.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p), ctypes.c_long]
    subject.restype = ctypes.c_void_p
    subject.argtypes = [ctypes.c_void_p]
    free.restype = None
    free.argtypes = [ctypes.c_void_p]
    try:  # OpenSSL 3 (X509_NAME_hash is a macro for it there)
        hash_ex = library.X509_NAME_hash_ex
        hash_ex.restype = ctypes.c_ulong
        hash_ex.argtypes = [
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_int),
        ]
    except AttributeError:
        hash_ex = None
    try:  # OpenSSL 1.1.1, LibreSSL
        hash_old = library.X509_NAME_hash
        hash_old.restype = ctypes.c_ulong
        hash_old.argtypes = [ctypes.c_void_p]
    except AttributeError:
        hash_old = None
    if hash_ex is None and hash_old is None:
        return None

    def subject_hash(der: bytes) -> int | None:
        cursor = ctypes.c_char_p(der)
        certificate = parse(None, ctypes.byref(cursor), len(der))
        if not certificate:
            return None
        try:
            name = subject(certificate)
            if hash_ex is not None:
                ok = ctypes.c_int(0)
                value = int(hash_ex(name, None, None, ctypes.byref(ok)))
                return value if ok.value == 1 else None
            assert hash_old is not None
            return int(hash_old(name))
        finally:
            free(certificate)

    return subject_hash
