"""Hub content in LocalSageMaker: what CreateHubContentPresignedUrls and ListHubContents
answer, and the presigned S3-style URLs they hand out (served by ``_files``).

A file's bytes are never stored: byte *i* of a file is a fixed pseudo-random pattern read from
an offset that depends on the file's key, so gigabytes cost nothing and any range is known.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import cast
from urllib.parse import quote

from ._errors import ApiError
from ._notebooks import JsonObject
from ._paging import paginate

#: The pattern every file's bytes are read from (1 MiB, the same in every process).
PATTERN = random.Random(20261204).randbytes(1 << 20)  # noqa: S311 - test data, not secrets
#: Files up to this size get S3's single-part ETag (their MD5); larger ones a multipart one.
SINGLE_PART_LIMIT = 16 << 20


# Twice over, so that any slice of up to 1 MiB is contiguous: serving copies nothing.
_TWICE = memoryview(PATTERN + PATTERN)


def _offset(key: str, start: int) -> int:
    return (int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") + start) % len(PATTERN)


def file_view(key: str, start: int, end: int) -> memoryview:
    """Bytes *start* to *end* (exclusive, at most 1 MiB) of the file under *key*, uncopied."""
    offset = _offset(key, start)
    return _TWICE[offset : offset + (end - start)]


def file_bytes(key: str, start: int, end: int) -> bytes:
    """Bytes *start* to *end* (exclusive) of the file stored under *key*."""
    out = bytearray()
    for position in range(start, end, len(PATTERN)):
        out += file_view(key, position, min(position + len(PATTERN), end))
    return bytes(out)


@dataclass
class HubFile:
    """One file of hub content: where it goes, its key in the bucket, its size and ETag."""

    local_path: str
    key: str
    size: int
    etag: str = ""

    def __post_init__(self) -> None:
        if self.size <= SINGLE_PART_LIMIT:
            self.etag = f'"{hashlib.md5(file_bytes(self.key, 0, self.size)).hexdigest()}"'  # noqa: S324 - S3's ETag is MD5
        else:
            digest = hashlib.md5(self.key.encode()).hexdigest()  # noqa: S324
            self.etag = f'"{digest}-{-(-self.size // (8 << 20))}"'


@dataclass
class HubContent:
    """One piece of hub content (a model...) and its files."""

    hub_name: str
    content_type: str
    name: str
    version: str
    files: list[HubFile]
    gated: bool = False
    status: str = "Available"
    creation_time: float = field(default_factory=time.time)


class HubStore:
    """The hubs' content, and the URLs minted for it; the caller holds the backend's lock."""

    def __init__(self, region_name: str) -> None:
        self.region_name: str = region_name
        self.contents: list[HubContent] = []
        #: Where the file server listens (set when it starts): http://127.0.0.1:PORT
        self.files_url: str = ""
        #: How long minted URLs live (X-Amz-Expires), seconds; S3 allows up to 15 minutes.
        self.url_lifetime: int = 900
        #: Lifetimes for the URLs of the next presign calls, first first; then url_lifetime
        #: (``[1]``: the first URLs die a second after they are minted, the fresh ones live).
        self.next_lifetimes: list[int] = []
        #: LocalPaths to answer instead of the real ones, first ones first (hostile tests).
        self.path_overrides: list[str] = []
        #: Bytes each file-server connection may send per second (0: no cap).
        self.rate_limit: int = 0
        #: Seconds the file server waits before answering each request.
        self.latency: float = 0.0
        #: Faults for the next file GETs: ("reset", after_bytes), ("503", 0) or ("corrupt", 0)
        #: (the first byte sent is wrong).
        self.file_faults: list[tuple[str, int]] = []
        self.secret: bytes = secrets.token_bytes(16)
        #: Every file GET seen: (key, Range header or "").
        self.gets: list[tuple[str, str]] = []

    def add(self, content: HubContent) -> HubContent:
        self.contents.append(content)
        return content

    def _find(self, body: JsonObject) -> HubContent:
        hub = str(body.get("HubName", "")).rpartition("/")[2]
        wanted = (hub, body.get("HubContentType"), body.get("HubContentName"))
        found = [c for c in self.contents if (c.hub_name, c.content_type, c.name) == wanted]
        version = body.get("HubContentVersion")
        if version is not None:
            found = [c for c in found if c.version == version]
        if not found:
            raise ApiError("ResourceNotFound", f"Hub content {wanted[2]} does not exist.")
        return max(found, key=lambda c: tuple(int(p) for p in c.version.split(".")))

    def sign(self, key: str, date: str, expires: int) -> str:
        message = f"{key}\n{date}\n{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def mint(self, file: HubFile, expires: int) -> str:
        date = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        return (
            f"{self.files_url}/hub-content-bucket/{quote(file.key)}"
            f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date={date}&X-Amz-Expires={expires}"
            f"&X-Amz-SignedHeaders=host&X-Amz-Signature={self.sign(file.key, date, expires)}"
        )

    def file(self, key: str) -> HubFile | None:
        for content in self.contents:
            for file in content.files:
                if file.key == key:
                    return file
        return None

    # --- operations ---

    def create_hub_content_presigned_urls(self, body: JsonObject) -> JsonObject:
        content = self._find(body)
        access: object = body.get("AccessConfig")
        accepted = isinstance(access, dict) and cast("JsonObject", access).get("AcceptEula") is True
        if content.gated and not accepted:
            raise ApiError(
                "ValidationException",
                f"Model {content.name} requires accepting its end-user license agreement "
                "(AccessConfig.AcceptEula).",
            )
        page, answer = paginate(content.files, body, default_max=100)
        lifetime = self.next_lifetimes.pop(0) if self.next_lifetimes else self.url_lifetime
        entries: list[JsonObject] = []
        for file in page:
            path = self.path_overrides.pop(0) if self.path_overrides else file.local_path
            entries.append({"Url": self.mint(file, lifetime), "LocalPath": path})
        answer["AuthorizedUrlConfigs"] = entries
        return answer

    def list_hub_contents(self, body: JsonObject) -> JsonObject:
        hub = str(body.get("HubName", "")).rpartition("/")[2]
        found = [
            c
            for c in self.contents
            if c.hub_name == hub and c.content_type == body.get("HubContentType")
        ]
        page, answer = paginate(found, body)
        answer["HubContentSummaries"] = [
            {
                "HubContentName": c.name,
                "HubContentArn": f"arn:aws:sagemaker:{self.region_name}:aws:hub-content/"
                f"{hub}/{c.content_type}/{c.name}/{c.version}",
                "HubContentVersion": c.version,
                "HubContentType": c.content_type,
                "DocumentSchemaVersion": "2.3.0",
                "HubContentStatus": c.status,
                "CreationTime": c.creation_time,
            }
            for c in page
        ]
        return answer
