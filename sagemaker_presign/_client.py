"""PresignClient: the one call, checked on the way in and translated on the way out."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from ._exceptions import ConfigurationError, UnexpectedResponseError, is_translatable, translate
from ._result import PresignedNotebookUrl, utc_now
from ._validation import validate_notebook_instance_name, validate_session_duration

if TYPE_CHECKING:
    from types import TracebackType

    import boto3
    from botocore.client import BaseClient
    from botocore.config import Config
    from typing_extensions import Self

__all__ = ["PresignClient", "create_presigned_url"]

logger = logging.getLogger("sagemaker_presign")


class PresignClient:
    """Creates presigned notebook instance URLs through one boto3 SageMaker client.

    Pass a ready client (``boto3.client("sagemaker")``), or let it build one from the
    arguments (``session``, else a new ``boto3.Session`` with ``region_name`` and
    ``profile_name``; ``endpoint_url`` and ``config`` go to the client). Everything the
    standard credential chain and ``AWS_PROFILE``/``AWS_REGION`` say applies as usual.

    One instance is safe to share between threads, as boto3 clients are.
    """

    def __init__(
        self,
        sagemaker_client: BaseClient | None = None,
        *,
        session: boto3.Session | None = None,
        region_name: str | None = None,
        profile_name: str | None = None,
        endpoint_url: str | None = None,
        config: Config | None = None,
    ) -> None:
        builder_args = {
            "session": session,
            "region_name": region_name,
            "profile_name": profile_name,
            "endpoint_url": endpoint_url,
            "config": config,
        }
        given = [name for name, value in builder_args.items() if value is not None]
        if sagemaker_client is not None:
            if given:
                raise TypeError(
                    "pass either a ready sagemaker_client or the arguments to build one, "
                    f"not both (got sagemaker_client and {', '.join(given)})"
                )
            self._client: Any = sagemaker_client
            self._owns_client = False
        else:
            if session is not None and profile_name is not None:
                raise TypeError("profile_name cannot be combined with session: a session has one")
            self._client = _build_client(session, region_name, profile_name, endpoint_url, config)
            self._owns_client = True

    @property
    def sagemaker_client(self) -> BaseClient:
        """The boto3 SageMaker client this instance sends its requests through."""
        client: BaseClient = self._client
        return client

    def create_presigned_url(
        self,
        notebook_instance_name: str,
        *,
        session_duration: int | timedelta | None = None,
    ) -> PresignedNotebookUrl:
        """Return a presigned URL for *notebook_instance_name*'s Jupyter server.

        *session_duration* is the Jupyter session's length once the URL is opened: whole
        seconds or a timedelta from 30 min to 12 h; None leaves it to the service (12 h).
        Invalid input raises :class:`InvalidParameterError` before anything is sent.
        """
        name = validate_notebook_instance_name(notebook_instance_name)
        seconds = validate_session_duration(session_duration)
        return self._presign(name, seconds)

    def _presign(self, name: str, seconds: int | None) -> PresignedNotebookUrl:
        params: dict[str, Any] = {"NotebookInstanceName": name}
        if seconds is not None:
            params["SessionExpirationDurationInSeconds"] = seconds
        # Read before sending: the service issues the URL later than this, retries included,
        # so expires_at can only err on the early side.
        issued_at = utc_now()
        response = self._call("create_presigned_notebook_instance_url", name, params)
        url = _authorized_url(response, name)
        result = PresignedNotebookUrl(
            url=url,
            notebook_instance_name=name,
            issued_at=issued_at,
            session_duration=None if seconds is None else timedelta(seconds=seconds),
        )
        logger.debug(
            "presigned URL issued for notebook instance %r, valid until %s",
            name,
            result.expires_at.isoformat(),
        )
        return result

    def _call(self, method: str, name: str, params: Mapping[str, Any]) -> Any:
        """Make one API call, turning botocore's errors into ours."""
        try:
            return getattr(self._client, method)(**params)
        except Exception as exc:
            if not is_translatable(exc):
                raise
            raise translate(exc, notebook_instance_name=name) from exc

    def close(self) -> None:
        """Close the connections of a client this instance built (a passed one is left open)."""
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        meta = getattr(self._client, "meta", None)
        region = getattr(meta, "region_name", None)
        endpoint = getattr(meta, "endpoint_url", None)
        return f"{type(self).__name__}(region_name={region!r}, endpoint_url={endpoint!r})"


def _authorized_url(response: Any, name: str) -> str:
    """Return the response's AuthorizedUrl, or raise if it is not a usable https URL."""
    fields: Mapping[str, object] = (
        cast("Mapping[str, object]", response) if isinstance(response, Mapping) else {}
    )
    url = fields.get("AuthorizedUrl")
    problem = None
    if url is None:
        problem = "has no AuthorizedUrl"
    elif not isinstance(url, str):
        problem = f"has an AuthorizedUrl that is a {type(url).__name__}, not a string"
    elif not url.strip():
        problem = "has an empty AuthorizedUrl"
    else:
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            parts, host = None, None
        if parts is None:
            problem = "has an AuthorizedUrl that is not a URL"
        elif parts.scheme != "https":
            problem = f"has an AuthorizedUrl whose scheme is {parts.scheme!r}, not 'https'"
        elif not host:
            problem = "has an AuthorizedUrl without a host"
    if problem is not None:
        raise UnexpectedResponseError(
            f"SageMaker's answer to CreatePresignedNotebookInstanceUrl for notebook instance "
            f"{name!r} {problem}",
            notebook_instance_name=name,
        )
    assert isinstance(url, str)
    return url


def _user_agent_config(config: Config | None) -> Config:
    """Return *config* with ``sagemaker-presign/<version>`` added to the user agent."""
    from botocore.config import Config

    from ._version import version

    ours = f"sagemaker-presign/{version()}"
    extra = getattr(config, "user_agent_extra", None)
    tagged = Config(user_agent_extra=f"{extra} {ours}" if extra else ours)
    return tagged if config is None else config.merge(tagged)


def _build_client(
    session: boto3.Session | None,
    region_name: str | None,
    profile_name: str | None,
    endpoint_url: str | None,
    config: Config | None,
) -> Any:
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        if session is None:
            session = boto3.Session(region_name=region_name, profile_name=profile_name)
        # The stubs say str, but it is None when nothing configures a region.
        session_region = cast("str | None", session.region_name)
        if region_name is None and session_region is None:
            # botocore reads only AWS_DEFAULT_REGION; the other AWS SDKs and CLI v2 also read
            # AWS_REGION, and users expect it to work here too.
            region_name = os.environ.get("AWS_REGION") or None
        return session.client(  # pyright: ignore[reportUnknownMemberType]
            "sagemaker",
            region_name=region_name,
            endpoint_url=endpoint_url,
            config=_user_agent_config(config),
        )
    except BotoCoreError as exc:
        raise translate(exc) from exc
    except ValueError as exc:
        # botocore raises a bare ValueError for a malformed endpoint URL.
        raise ConfigurationError(f"the AWS configuration is not usable: {exc}") from exc


# --- the module-level shortcut ---------------------------------------------------------------

_shared_clients: dict[tuple[str | None, ...], PresignClient] = {}
_shared_lock = threading.Lock()
# Settings that change which client gets built, besides the arguments themselves.
_ENVIRONMENT_KEYS = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION")


def _shared_client(
    region_name: str | None, profile_name: str | None, endpoint_url: str | None
) -> PresignClient:
    key = (region_name, profile_name, endpoint_url, *(os.environ.get(k) for k in _ENVIRONMENT_KEYS))
    with _shared_lock:
        client = _shared_clients.get(key)
        if client is None:
            client = PresignClient(
                region_name=region_name, profile_name=profile_name, endpoint_url=endpoint_url
            )
            _shared_clients[key] = client
        return client


def create_presigned_url(
    notebook_instance_name: str,
    *,
    session_duration: int | timedelta | None = None,
    client: PresignClient | BaseClient | None = None,
    region_name: str | None = None,
    profile_name: str | None = None,
    endpoint_url: str | None = None,
) -> PresignedNotebookUrl:
    """One call for one-off scripts: validate, presign, return the result.

    Calls with the same settings share one boto3 client. *client* may be a PresignClient or
    a boto3 SageMaker client; it cannot be combined with the other settings.
    """
    name = validate_notebook_instance_name(notebook_instance_name)
    seconds = validate_session_duration(session_duration)
    if client is not None:
        given = [
            label
            for label, value in (
                ("region_name", region_name),
                ("profile_name", profile_name),
                ("endpoint_url", endpoint_url),
            )
            if value is not None
        ]
        if given:
            raise TypeError(f"client cannot be combined with {', '.join(given)}")
        presigner = client if isinstance(client, PresignClient) else PresignClient(client)
    else:
        presigner = _shared_client(region_name, profile_name, endpoint_url)
    return presigner.create_presigned_url(name, session_duration=seconds)
