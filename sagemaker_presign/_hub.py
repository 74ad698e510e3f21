"""The hub content door: CreateHubContentPresignedUrls, presigned S3 URLs for the files of one
piece of hub content (a JumpStart model, a notebook...), each with the path it belongs at.

Unlike the other doors the answer is a list, over pages, and each entry comes from the service
with a ``LocalPath`` that decides where a file is written: every one is checked here, before
anyone can act on it (`safe_local_path`), so a result never holds a path that could leave its
download folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

from ._door import Door, Listing, Param
from ._exceptions import InvalidParameterError, UnexpectedResponseError
from ._result import PresignedUrl
from ._validation import check_identifier

#: The longest a hub content URL lives, by the API's documentation.
HUB_URL_VALIDITY = timedelta(minutes=15)
CONTENT_TYPES = ("Model", "Notebook", "ModelReference", "DataSet", "JsonDoc")
# The model's pattern, with \w made ASCII: a hub's name, or its ARN.
_HUB = (
    r"(?:arn:[a-z0-9\-.]{1,63}:sagemaker:[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)+:(?:[0-9]{12}|aws):hub/)?"
    r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
)
_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
_VERSION = r"[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}"
_S3_URL = r"(?:https|s3)://[^/\x00-\x20\x7f-\x9f]+/?[\x21-\x7e]*"
# What a service URL may look like here: S3's https (or s3://, or a local stand-in's http),
# printable ASCII only, so that printing one never moves a terminal's cursor or forges a line.
_FILE_URL = re.compile(r"(?:https?|s3)://[A-Za-z0-9.\-]+(?::[0-9]{1,5})?(?:[/?][\x21-\x7e]*)?")
_DATE = "%Y%m%dT%H%M%SZ"


def check_hub_name(value: object) -> str:
    return check_identifier(
        value,
        "hub name or ARN",
        _HUB,
        max_length=255,
        rule="a hub's name (letters, digits and hyphens, like SageMakerPublicHub) or its ARN "
        "(arn:aws:sagemaker:<region>:<account>:hub/<name>)",
    )


def check_content_type(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"content_type must be a str, not {type(value).__name__}")
    if value not in CONTENT_TYPES:
        raise InvalidParameterError(
            f"invalid hub content type {value[:40]!r}: one of {', '.join(CONTENT_TYPES)}"
        )
    return value


def check_content_name(value: object) -> str:
    return check_identifier(
        value,
        "hub content name",
        _NAME,
        max_length=63,
        rule="only ASCII letters, digits and hyphens, starting and ending with a letter or digit",
    )


def check_version(value: object) -> str:
    return check_identifier(
        value,
        "hub content version",
        _VERSION,
        max_length=14,
        rule="three numbers of 1 to 4 digits, like 1.0.0 or 2.13.4",
    )


def check_accept_eula(value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"accept_eula must be True or False, not {type(value).__name__}")
    return value


def check_expected_s3_url(value: object) -> str:
    return check_identifier(
        value,
        "expected S3 URL",
        _S3_URL,
        max_length=1024,
        rule="an s3:// or https:// URL of printable ASCII, like s3://bucket/prefix/",
    )


def check_max_results(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_results must be an int, not {type(value).__name__}")
    if not 1 <= value <= 100:
        raise InvalidParameterError(f"max_results must be 1 to 100, not {value}")
    return value


def safe_local_path(path: object, subject: str) -> str:
    """*path* (a LocalPath from the service) if it can only name a file inside the download
    folder: ``/`` then segments that are not empty, ``.`` or ``..``, with no backslash, drive
    letter, NUL or other control character. Raises UnexpectedResponseError otherwise."""
    problem = None
    if not isinstance(path, str) or not path:
        problem = "an empty or missing LocalPath"
    elif len(path) > 1024:
        problem = f"a LocalPath of {len(path)} characters"
    elif not path.startswith("/"):
        problem = "a LocalPath that does not start with /"
    elif re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]", path):
        problem = "a LocalPath with a backslash or a control character"
    else:
        segments = path[1:].split("/")
        if any(segment in ("", ".", "..") for segment in segments):
            problem = "a LocalPath with an empty, '.' or '..' segment"
        elif re.match(r"[A-Za-z]:", segments[0]):
            problem = "a LocalPath that starts with a drive letter"
    if problem is None:
        return cast("str", path)
    shown = repr(path)[:80] if isinstance(path, str) else type(path).__name__
    raise UnexpectedResponseError(
        f"SageMaker's answer for {subject} holds {problem} ({shown}): refused, nothing was written"
    )


def url_expiry(url: str, issued_at: datetime) -> datetime:
    """When *url* stops working: from its SigV4 query (``X-Amz-Date`` + ``X-Amz-Expires``)
    when it has one, else 15 minutes after *issued_at*; never later than that."""
    latest = issued_at + HUB_URL_VALIDITY
    query = parse_qs(urlsplit(url).query)
    try:
        signed = datetime.strptime(query["X-Amz-Date"][0], _DATE).replace(tzinfo=timezone.utc)
        seconds = int(query["X-Amz-Expires"][0])
    except (KeyError, ValueError, IndexError):
        return latest
    return min(signed + timedelta(seconds=seconds), latest)


@dataclass(frozen=True, repr=False, init=False)
class PresignedHubContentFile(PresignedUrl):
    """One file of hub content: a presigned S3 URL (a credential, masked wherever shown) and
    the path it belongs at, relative to the download folder."""

    local_path: str
    """Where the file goes, relative to the download folder, as the service gave it
    (``/config.json``): checked, it cannot leave that folder."""

    def __init__(self, url: str, local_path: str, issued_at: datetime) -> None:
        vars(self)["local_path"] = safe_local_path(local_path, "a hub content file")
        expires = url_expiry(url, issued_at)
        self._set_base(url, issued_at, max(expires - issued_at, timedelta(0)), None)

    def _subject(self) -> str:
        return f"hub content file {self.local_path!r}"

    def _identifiers(self) -> dict[str, object]:
        return {"local_path": self.local_path}


@dataclass(frozen=True)
class HubContentUrls:
    """Every file of one piece of hub content, each with its presigned URL: iterable, in the
    service's order, every page followed."""

    hub_name: str
    content_type: str
    content_name: str
    version: str | None
    """The version asked for; None: the latest."""
    files: tuple[PresignedHubContentFile, ...]

    def __iter__(self) -> Iterator[PresignedHubContentFile]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    @property
    def expires_at(self) -> datetime | None:
        """When the first of the URLs stops working (None for content without files)."""
        return min((file.expires_at for file in self.files), default=None)


def _subject(params: Mapping[str, Any]) -> str:
    version = params.get("version")
    return (
        f"{params['content_type']} {params['content_name']!r} "
        f"{'version ' + version + ' ' if version else ''}in hub {params['hub_name']!r}"
    )


def _request(params: Mapping[str, Any]) -> dict[str, Any]:
    request: dict[str, Any] = {
        "HubName": params["hub_name"],
        "HubContentType": params["content_type"],
        "HubContentName": params["content_name"],
        "MaxResults": params.get("max_results") or 100,
    }
    if params.get("version") is not None:
        request["HubContentVersion"] = params["version"]
    access: dict[str, Any] = {}
    if params.get("accept_eula"):
        access["AcceptEula"] = True
    if params.get("expected_s3_url") is not None:
        access["ExpectedS3Url"] = params["expected_s3_url"]
    if access:
        request["AccessConfig"] = access
    return request


def collect(
    params: Mapping[str, Any], pages: list[tuple[list[Any], datetime, float]]
) -> HubContentUrls:
    """The result of every page: each entry's URL and LocalPath checked, no path twice."""
    subject = _subject(params)
    files: list[PresignedHubContentFile] = []
    seen: set[str] = set()
    for entries, issued_at, sent in pages:
        for entry in entries:
            fields: Mapping[str, Any] = (
                cast("Mapping[str, Any]", entry) if isinstance(entry, Mapping) else {}
            )
            url, path = fields.get("Url"), safe_local_path(fields.get("LocalPath"), subject)
            if not isinstance(url, str) or not _FILE_URL.fullmatch(url):
                raise UnexpectedResponseError(
                    f"SageMaker's answer for {subject} holds a URL that is not an https, s3 "
                    f"or http URL of printable characters (for {path!r}): refused"
                )
            folded = path.casefold()  # one file on a case-insensitive disk
            if folded in seen:
                raise UnexpectedResponseError(
                    f"SageMaker's answer for {subject} names {path!r} twice: refused, nothing "
                    "was written"
                )
            seen.add(folded)
            file = PresignedHubContentFile(url, path, issued_at)
            vars(file)["_sent_monotonic"] = sent
            files.append(file)
    return HubContentUrls(
        params["hub_name"],
        params["content_type"],
        params["content_name"],
        params.get("version"),
        tuple(files),
    )


def _rows(client: Any, args: Any) -> list[dict[str, Any]]:
    if args.hub is None:
        raise InvalidParameterError("list hub-content needs --hub (SageMakerPublicHub, say)")
    return [
        {
            "kind": "hub-content",
            "name": content.name,
            "status": content.status,
            "type": f"{content.content_type} {content.version}",
            "created": content.creation_time,
        }
        for content in client.list_hub_contents(args.hub, args.type)
        if args.status is None or content.status == args.status
    ]


HUB_CONTENT = Door(
    name="hub-content",
    operation="CreateHubContentPresignedUrls",
    method="create_hub_content_presigned_urls",
    since="1.39.3",
    params=(
        Param("hub_name", "HubName", check_hub_name),
        Param("content_type", "HubContentType", check_content_type),
        Param("content_name", "HubContentName", check_content_name),
        Param("version", "HubContentVersion", check_version, optional=True),
        Param("accept_eula", None, check_accept_eula, optional=True),
        Param("expected_s3_url", None, check_expected_s3_url, optional=True),
        Param("max_results", None, check_max_results, optional=True),
    ),
    subject=_subject,
    result=PresignedHubContentFile,
    durations=False,
    request=_request,
    pages="AuthorizedUrlConfigs",
    collect=collect,
    listing=Listing(
        _rows,
        arguments=(
            (("--hub",), {"metavar": "HUB", "help": "hub-content: the hub (its name or ARN)"}),
            (
                ("--type",),
                {
                    "choices": CONTENT_TYPES,
                    "default": "Model",
                    "help": "hub content: the content type (default: Model)",
                },
            ),
        ),
    ),
    arn_param="hub_name",
)
