"""Downloading hub content: every file into one folder, in parallel, resumable, and never
anywhere else, through URLs that may die before the download ends.

- Where: each ``LocalPath`` was checked when the URLs were presigned (``_hub``); here every
  folder below the destination is opened with ``O_NOFOLLOW`` relative to its parent's
  descriptor, so a symlink planted inside it is never followed.
- How: files in parallel, large files in ranged parts in parallel, at most *max_concurrency*
  requests at once; each part streamed in 1 MiB pieces (memory stays flat) into ``NAME.part``
  with ``pwrite``, renamed to ``NAME`` once complete and checked (length; MD5 when the ETag is
  one). ``NAME.part.state`` records what is done, so a rerun resumes with ``Range``.
- When URLs die: a 403 "Request has expired" (or a URL already past its end) asks for fresh
  URLs once for all the waiting requests, and each part carries on from its byte.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ._exceptions import DownloadError, PresignError
from ._hub import HubContentUrls, PresignedHubContentFile
from ._log_redaction import call_redacted

#: Files larger than this are fetched in ranged parts of this size, in parallel.
PART_SIZE = 16 << 20
_PIECE = 1 << 20
_RETRIES = 5
_PLAIN_ETAG = re.compile(r'"?([0-9a-f]{32})"?')
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


@dataclass(frozen=True)
class DownloadProgress:
    """Where a download stands; `on_progress` gets one a few times a second and at the end."""

    files_done: int
    files_total: int
    bytes_done: int
    """Bytes on disk so far, resumed ones included."""
    bytes_total: int | None
    """The sum of the sizes, once every file's is known."""
    bytes_per_second: float
    """This run's rate so far."""
    eta_seconds: float | None


@dataclass(frozen=True)
class DownloadSummary:
    """What a finished download did."""

    folder: Path
    files: int
    """Files in the content."""
    skipped: int
    """Files already complete from an earlier run, left as they were."""
    bytes_downloaded: int
    """Bytes fetched by this run (resumed bytes not counted)."""
    seconds: float
    presign_calls: int
    """CreateHubContentPresignedUrls calls, the first included (more when URLs expired)."""


@dataclass
class _File:
    entry: PresignedHubContentFile
    folder_fd: int
    name: str
    size: int | None = None
    etag: str = ""
    fd: int = -1
    parts: dict[int, int] = field(default_factory=dict[int, int])
    """Offset of each part -> bytes of it done."""
    pending: int = 0
    whole: bool = False
    """The server sent the whole file at once: one part."""


class _Expired(Exception):
    """The URL used was refused as expired."""


class _Transient(Exception):
    """A failure worth retrying: a reset, a 5xx, a timeout."""


class Downloader:
    """One download of hub content (see `PresignClient.download_hub_content`)."""

    def __init__(
        self,
        presign: Callable[[], HubContentUrls],
        to: str | os.PathLike[str],
        *,
        http: Callable[[str], Any],
        allow_http_loopback: bool,
        max_concurrency: int,
        on_progress: Callable[[DownloadProgress], object] | None,
        part_size: int = PART_SIZE,
    ) -> None:
        given: Any = max_concurrency
        if isinstance(given, bool) or not isinstance(given, int):
            raise TypeError(f"max_concurrency must be an int, not {type(given).__name__}")
        if not 1 <= max_concurrency <= 64:
            raise ValueError(f"max_concurrency must be 1 to 64, not {max_concurrency}")
        self._presign = presign
        self._to = Path(to)
        self._http_for = http
        self._http: Any = None
        self._allow_http = allow_http_loopback
        self._workers = max_concurrency
        self._on_progress = on_progress
        self._part_size = part_size
        self._lock = threading.Lock()
        self._tasks: queue.Queue[tuple[_File, int] | None] = queue.Queue()
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        self._generation = 0
        self._urls: dict[str, PresignedHubContentFile] = {}
        self._presign_calls = 0
        self._fetched = 0
        self._done_bytes = 0
        self._files_done = 0
        self._skipped = 0
        self._last_report = 0.0
        self._started = time.monotonic()
        self._files: list[_File] = []
        self._fresh_without_progress = 0
        self._refreshing = threading.Lock()

    # --- the run ---

    def run(self) -> DownloadSummary:
        content = self._fresh_urls()
        if content.files:  # one host serves them all (S3's): its proxy settings apply
            self._http = self._http_for(content.files[0].url)
        root = self._open_root()
        try:
            for entry in content:
                self._check_url(entry.url, entry.local_path)
            for entry in content:
                self._plan(root, entry)
            threads = [
                threading.Thread(target=self._work, name="sagemaker-presign-download", daemon=True)
                for _ in range(self._workers)
            ]
            for thread in threads:
                thread.start()
            try:
                while any(thread.is_alive() for thread in threads):
                    threads[0].join(0.2)
                    self._report()
                    if self._all_done():
                        break
            except KeyboardInterrupt:
                self._halt(None)
                for thread in threads:
                    thread.join()
                raise
            self._halt(None)
            for thread in threads:
                thread.join()
            if self._failure is not None:
                raise self._failure
            self._report(final=True)
        finally:
            for file in self._files:
                self._close(file)
                with contextlib.suppress(OSError):
                    os.close(file.folder_fd)
            os.close(root)
        return DownloadSummary(
            self._to,
            len(content),
            self._skipped,
            self._fetched,
            time.monotonic() - self._started,
            self._presign_calls,
        )

    def _all_done(self) -> bool:
        with self._lock:
            return self._files_done == len(self._files)

    def _halt(self, failure: BaseException | None) -> None:
        with self._lock:
            if failure is not None and self._failure is None:
                self._failure = failure
        self._stop.set()
        for _ in range(self._workers):
            self._tasks.put(None)

    # --- URLs ---

    def _fresh_urls(self) -> HubContentUrls:
        content = self._presign()
        with self._lock:
            self._presign_calls += 1
            self._generation += 1
            self._urls = {entry.local_path: entry for entry in content}
        return content

    def _url_for(self, file: _File) -> tuple[str, int]:
        """The newest URL of *file*, and its generation."""
        with self._lock:
            entry = self._urls.get(file.entry.local_path)
            generation = self._generation
        if entry is None:
            raise DownloadError(
                f"fresh URLs no longer hold {file.entry.local_path!r}: the content changed "
                "during the download"
            )
        self._check_url(entry.url, entry.local_path)
        return entry.url, generation

    def _refresh(self, seen_generation: int) -> None:
        """Fresh URLs for everyone, once per expiry: whoever saw an older set just retries
        (one presign at a time, so a burst of refusals costs one call)."""
        with self._refreshing:
            with self._lock:
                if seen_generation != self._generation:
                    return
                self._fresh_without_progress += 1
                if self._fresh_without_progress > 3:
                    raise DownloadError(
                        "fresh URLs expired before any byte could be fetched with them, three "
                        "times: check this machine's clock"
                    )
            self._fresh_urls()

    def _check_url(self, url: str, local_path: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        loopback = host in ("127.0.0.1", "localhost", "::1")
        if parts.scheme == "https" or (parts.scheme == "http" and loopback and self._allow_http):
            return
        raise DownloadError(
            f"the URL for {local_path!r} is {parts.scheme}://, not https://: refused (only a "
            "local stand-in on this machine, reached over plain http, may serve plain http)"
        )

    # --- where files go ---

    def _open_root(self) -> int:
        try:
            self._to.mkdir(parents=True, exist_ok=True)
            return os.open(self._to, os.O_RDONLY | _DIRECTORY)
        except FileExistsError:
            raise DownloadError(f"{str(self._to)!r} is a file, not a folder") from None
        except NotADirectoryError:
            raise DownloadError(f"{str(self._to)!r} is (inside) a file, not a folder") from None
        except PermissionError as error:
            raise DownloadError(f"cannot create or open {str(self._to)!r}: {error}") from None

    def _folder(self, root: int, segments: list[str]) -> int:
        """The folder of *segments* below *root*, made if missing, never through a symlink."""
        fd = os.dup(root)
        for segment in segments:
            try:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(segment, 0o755, dir_fd=fd)
                inner = os.open(segment, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
            except OSError as error:
                os.close(fd)
                raise _disk_error(error, "/".join(segments)) from None
            os.close(fd)
            fd = inner
        return fd

    def _plan(self, root: int, entry: PresignedHubContentFile) -> None:
        *folders, name = entry.local_path[1:].split("/")
        folder = self._folder(root, folders)
        file = _File(entry, folder, name)
        self._files.append(file)
        with contextlib.suppress(FileNotFoundError):
            found = os.stat(name, dir_fd=folder, follow_symlinks=False)
            if not _is_regular(found.st_mode):
                raise DownloadError(
                    f"{entry.local_path!r} exists and is not a regular file (a symlink or a "
                    "folder): refused, nothing was written there"
                )
            self._skipped += 1  # only a complete, checked file ever gets this name
            self._files_done += 1
            file.size = found.st_size
            self._done_bytes += found.st_size
            return
        state = self._read_state(file)
        file.fd = self._open_part(file)
        held = os.fstat(file.fd).st_size
        if state is not None and any(d and o + d > held for o, d in state[2].items()):
            state = None  # the .part is shorter than its record says: start it again
        if state is not None:
            file.size, file.etag, file.parts = state
            self._done_bytes += sum(file.parts.values())
            missing = [o for o, done in file.parts.items() if done < self._length(file, o)]
            if not missing:
                self._tasks.put((file, -1))  # all there: check and rename
            for offset in missing:
                file.pending += 1
                self._tasks.put((file, offset))
        else:
            file.pending = 1
            self._tasks.put((file, 0))

    def _open_part(self, file: _File) -> int:
        try:
            return os.open(
                f"{file.name}.part",
                os.O_RDWR | os.O_CREAT | _NOFOLLOW,
                0o644,
                dir_fd=file.folder_fd,
            )
        except OSError as error:
            raise _disk_error(error, file.entry.local_path) from None

    def _read_state(self, file: _File) -> tuple[int, str, dict[int, int]] | None:
        try:
            fd = os.open(f"{file.name}.part.state", os.O_RDONLY | _NOFOLLOW, dir_fd=file.folder_fd)
        except OSError:
            return None
        try:
            with os.fdopen(fd, "rb") as stream:
                state = json.loads(stream.read(1 << 20))
            parts = {int(o): int(d) for o, d in state["parts"].items()}
            return int(state["size"]), str(state["etag"]), parts
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def _write_state(self, file: _File) -> None:
        with self._lock:
            document = {"size": file.size, "etag": file.etag, "parts": dict(file.parts)}
        data = json.dumps(document).encode()
        name = f"{file.name}.part.state"
        fd = os.open(
            name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o644, dir_fd=file.folder_fd
        )
        try:
            os.write(fd, data)
        finally:
            os.close(fd)

    def _length(self, file: _File, offset: int) -> int:
        assert file.size is not None
        return file.size - offset if file.whole else min(self._part_size, file.size - offset)

    # --- the workers ---

    def _work(self) -> None:
        while not self._stop.is_set():
            task = self._tasks.get()
            if task is None:
                return
            file, offset = task
            try:
                if offset >= 0:
                    self._fetch(file, offset)
                self._part_done(file, offset)
            except (DownloadError, PresignError) as error:
                self._halt(error)
            except OSError as error:
                self._halt(_disk_error(error, file.entry.local_path))
            except Exception as error:
                self._halt(DownloadError(f"{file.entry.local_path!r}: {error}"))

    def _fetch(self, file: _File, offset: int) -> None:
        """Fetch one part (offset 0 of a file not yet sized: its first part, which tells the
        size), from where it stopped, retrying what is transient."""
        attempt = 0
        while not self._stop.is_set():
            url, generation = self._url_for(file)
            try:
                self._stream(file, offset, url)
                return
            except _Expired:
                self._refresh(generation)
            except _Transient as error:
                attempt += 1
                if attempt > _RETRIES:
                    raise DownloadError(
                        f"{file.entry.local_path!r}: {error}, {_RETRIES} retries later"
                    ) from None
                time.sleep(min(0.2 * 2**attempt, 5.0))

    def _stream(self, file: _File, offset: int, url: str) -> None:
        done = file.parts.get(offset, 0)
        first = file.size is None
        end = offset + self._part_size - 1 if first else offset + self._length(file, offset) - 1
        start = offset + done
        if not first and start > end:
            return
        response = self._get(url, {"Range": f"bytes={start}-{end}"})
        complete = False
        try:
            status = response.status_code
            if status not in (200, 206):
                body = response.raw.read(65536, decode_content=False) or b""
                complete = True
                self._refused(file, status, body, first, response.headers.get("ETag", ""))
                return
            etag = response.headers.get("ETag", "")
            if first:
                self._sized(file, _total(response, status), etag, whole=status == 200)
            elif etag != file.etag:
                with contextlib.suppress(OSError):  # the next run starts this file again
                    os.unlink(f"{file.name}.part.state", dir_fd=file.folder_fd)
                raise DownloadError(
                    f"{file.entry.local_path!r} changed on the server since it was started: "
                    "run again to fetch it anew"
                )
            if status == 200 and start != 0:
                raise _Transient("the server ignored the Range header")
            complete = self._copy(file, offset, start if status == 206 else 0, response)
        finally:
            if complete:  # the connection goes back to the pool
                response.raw.release_conn()
            else:  # a body left unread: the connection cannot be reused
                response.raw.close()

    def _refused(self, file: _File, status: int, body: bytes, first: bool, etag: str) -> None:
        """What an answer other than 200/206 means: expired, transient, empty, or fatal."""
        if status == 403 and b"expired" in body.lower():
            raise _Expired
        if status in (429, 500, 502, 503, 504):
            raise _Transient(f"the server answered {status}")
        if status == 416 and first:  # S3's answer to a Range on an empty object
            self._sized(file, 0, etag)
            return
        raise DownloadError(f"{file.entry.local_path!r}: the server answered {status}")

    def _get(self, url: str, headers: Mapping[str, str]) -> Any:
        from botocore.awsrequest import AWSPreparedRequest
        from botocore.exceptions import ConnectionError as BotocoreConnectionError
        from botocore.exceptions import HTTPClientError, SSLError

        sent: Any = dict(headers)  # what botocore's own requests carry (its stubs say otherwise)
        request = AWSPreparedRequest("GET", url, sent, None, stream_output=True)
        try:
            # Under call_redacted: urllib3's DEBUG records of this thread (the request line
            # holds the URL's signature) are cleaned before any handler sees them.
            return call_redacted(self._http.send, {"request": request})
        except SSLError:
            # Not transient: the certificate is not one this client trusts.
            raise DownloadError(
                f"TLS verification failed for {urlsplit(url).hostname}: trust its CA with "
                "AWS_CA_BUNDLE, as for the client"
            ) from None
        except (HTTPClientError, BotocoreConnectionError) as error:
            raise _Transient(f"the connection failed ({type(error).__name__})") from None

    def _copy(self, file: _File, offset: int, position: int, response: Any) -> bool:
        """Stream the answer into the part at *position*; True when it was read to its end."""
        from urllib3.exceptions import HTTPError as Urllib3Error

        limit = offset + (self._length(file, offset) if file.size else 0)
        written_since_state = 0
        try:
            while not self._stop.is_set():
                piece = response.raw.read(_PIECE, decode_content=False)
                if not piece:
                    break
                if position + len(piece) > limit:
                    raise DownloadError(f"{file.entry.local_path!r}: more bytes than it holds")
                os.pwrite(file.fd, piece, position)
                position += len(piece)
                written_since_state += len(piece)
                with self._lock:
                    file.parts[offset] = position - offset
                    self._fetched += len(piece)
                    self._done_bytes += len(piece)
                    self._fresh_without_progress = 0
                if written_since_state >= 2 * _PIECE:  # a kill loses at most this much
                    self._write_state(file)
                    written_since_state = 0
        except (Urllib3Error, ConnectionError, TimeoutError) as error:
            self._write_state(file)
            raise _Transient(f"the connection broke ({type(error).__name__})") from None
        self._write_state(file)
        if self._stop.is_set():
            return False
        if position < limit:
            raise _Transient("the connection ended early")
        return True

    def _sized(self, file: _File, size: int, etag: str, *, whole: bool = False) -> None:
        """The first answer told *file*'s size: plan its other parts (none when the server
        sent it *whole*, ignoring the Range)."""
        with self._lock:
            file.size, file.etag, file.whole = size, etag, whole
            step = max(size, 1) if whole else self._part_size
            file.parts = dict.fromkeys(range(0, max(size, 1), step), 0)
            others = [o for o in file.parts if o != 0]
            file.pending += len(others)
        for part in others:
            self._tasks.put((file, part))

    def _part_done(self, file: _File, offset: int) -> None:
        if self._stop.is_set():
            return
        with self._lock:
            if offset >= 0:
                file.pending -= 1
            last = file.pending <= 0
        if last:
            self._finish(file)

    def _finish(self, file: _File) -> None:
        """Check the complete ``.part`` (length, MD5 when the ETag is one) and rename it."""
        assert file.size is not None
        length = os.fstat(file.fd).st_size
        if length > file.size:
            os.ftruncate(file.fd, file.size)
            length = file.size
        if length != file.size:
            raise DownloadError(f"{file.entry.local_path!r}: {length} bytes of {file.size}")
        plain = _PLAIN_ETAG.fullmatch(file.etag)
        if plain is not None and _md5(file.fd, file.size) != plain.group(1):
            with contextlib.suppress(OSError):
                os.unlink(f"{file.name}.part.state", dir_fd=file.folder_fd)
            raise DownloadError(
                f"{file.entry.local_path!r} does not match its ETag (MD5): the download is "
                "corrupt and was not kept under its name; run again"
            )
        os.fsync(file.fd)
        self._close(file)
        folder = file.folder_fd
        os.replace(f"{file.name}.part", file.name, src_dir_fd=folder, dst_dir_fd=folder)
        with contextlib.suppress(OSError):
            os.unlink(f"{file.name}.part.state", dir_fd=folder)
        with self._lock:
            self._files_done += 1

    def _close(self, file: _File) -> None:
        if file.fd >= 0:
            with contextlib.suppress(OSError):
                os.close(file.fd)
            file.fd = -1

    # --- progress ---

    def _report(self, *, final: bool = False) -> None:
        if self._on_progress is None:
            return
        now = time.monotonic()
        if not final and now - self._last_report < 0.25:
            return
        self._last_report = now
        with self._lock:
            sizes = [f.size for f in self._files]
            total = None if None in sizes else sum(s or 0 for s in sizes)
            elapsed = max(now - self._started, 1e-6)
            rate = self._fetched / elapsed
            left = None if total is None else max(total - self._done_bytes, 0)
            progress = DownloadProgress(
                self._files_done,
                len(self._files),
                self._done_bytes,
                total,
                rate,
                None if left is None or rate <= 0 else left / rate,
            )
        self._on_progress(progress)


def _total(response: Any, status: int) -> int:
    """The file's whole size, from ``Content-Range`` (206) or ``Content-Length`` (200)."""
    if status == 206:
        match = re.fullmatch(
            r"bytes [0-9]+-[0-9]+/([0-9]+)", response.headers.get("Content-Range", "")
        )
        if match is None:
            raise DownloadError("the server's Content-Range is missing or malformed")
        return int(match.group(1))
    length = response.headers.get("Content-Length", "")
    if not length.isdigit():
        raise DownloadError("the server's Content-Length is missing or malformed")
    return int(length)


def _md5(fd: int, size: int) -> str:
    digest = hashlib.md5()  # noqa: S324 - S3's ETag is MD5
    position = 0
    while position < size:
        piece = os.pread(fd, min(_PIECE * 8, size - position), position)
        if not piece:
            break
        digest.update(piece)
        position += len(piece)
    return digest.hexdigest()


def _is_regular(mode: int) -> bool:
    import stat

    return stat.S_ISREG(mode)


def _disk_error(error: OSError, where: str) -> DownloadError:
    """A clear error for what the disk said."""
    if error.errno == errno.ENOSPC:
        return DownloadError(f"the disk is full (writing {where!r}); what was fetched is kept")
    if error.errno in (errno.EACCES, errno.EPERM):
        return DownloadError(f"permission denied writing {where!r}")
    if error.errno in (errno.ELOOP, errno.ENOTDIR):
        return DownloadError(
            f"{where!r} goes through a symlink or a file inside the destination: refused"
        )
    return DownloadError(f"cannot write {where!r}: {error.strerror or error}")
