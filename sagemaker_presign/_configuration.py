"""Building (or accepting) the boto3 SageMaker client: boto3's conventions, checked up front.

Every argument is checked when the PresignClient is made, not at its first call: a region
with a stray newline, an endpoint URL with port 99999 or an ``ftp://`` scheme, a string where
a client belongs, each is a clear error at once.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import threading
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from ._exceptions import ConfigurationError, InsecureEndpointWarning, translate
from ._redact import redact_url

if TYPE_CHECKING:
    import boto3
    from botocore.config import Config

# The shape botocore itself accepts for a region name.
_REGION = re.compile(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?")
_LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def check_ready_client(client: object) -> object:
    """Return *client* if it looks like a boto3 SageMaker client; TypeError otherwise."""
    if not callable(getattr(client, "create_presigned_notebook_instance_url", None)):
        raise TypeError(
            "sagemaker_client must be a boto3 SageMaker client (boto3.client('sagemaker')), "
            f"not {type(client).__name__}; to build one, pass region_name=, profile_name=, "
            "session= or endpoint_url= by keyword"
        )
    model = getattr(getattr(client, "meta", None), "service_model", None)
    service = getattr(model, "service_name", "sagemaker")
    if isinstance(service, str) and service != "sagemaker":
        raise TypeError(f"sagemaker_client must be a SageMaker client, not a {service!r} client")
    return client


def _check_types(
    session: object, region_name: object, profile_name: object, endpoint_url: object, config: object
) -> None:
    for label, value in (
        ("region_name", region_name),
        ("profile_name", profile_name),
        ("endpoint_url", endpoint_url),
    ):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{label} must be a str, not {type(value).__name__}")
    if session is not None and not callable(getattr(session, "client", None)):
        raise TypeError(f"session must be a boto3.Session, not {type(session).__name__}")
    if config is not None:
        from botocore.config import Config

        if not isinstance(config, Config):
            raise TypeError(f"config must be a botocore.config.Config, not {type(config).__name__}")


def check_region(region: str | None, source: str) -> str | None:
    """*region* if botocore would accept its shape; ConfigurationError naming *source* if not."""
    if region is None or _REGION.fullmatch(region):
        return region
    raise ConfigurationError(
        f"the region {region!r} from {source} is not a region name (like eu-west-1)"
    )


def check_endpoint_url(endpoint_url: str | None) -> str | None:
    """*endpoint_url* if it is a usable http(s) URL; warn when plain http leaves this machine."""
    if endpoint_url is None:
        return None
    shown = redact_url(endpoint_url)
    problem = None
    try:
        parts = urlsplit(endpoint_url)
        port = parts.port
    except ValueError as exc:
        parts, port, problem = None, None, str(exc)
    if parts is not None:
        if any(c.isspace() or not c.isprintable() for c in endpoint_url):
            problem = "it holds white space or control characters"
        elif parts.scheme not in ("http", "https"):
            problem = "its scheme must be http or https"
        elif not parts.hostname:
            problem = "it has no host"
        elif port == 0:
            problem = "its port must be from 1 to 65535"
    if problem is not None:
        raise ConfigurationError(f"invalid endpoint_url {shown!r}: {problem}")
    assert parts is not None
    if parts.scheme == "http" and not is_loopback(parts.hostname or ""):
        warnings.warn(
            f"endpoint_url {shown!r} is plain http to another host: presigned URLs and "
            "request signatures would cross the network unencrypted",
            InsecureEndpointWarning,
            stacklevel=4,
        )
    return endpoint_url


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


#: The connection pool of clients the package builds, unless your Config sets one: sized for a
#: PresignClient shared by many threads (and AsyncPresignClient's workers), so that none of
#: them has its connection discarded (a new TLS handshake each) when the pool is full.
POOL_SIZE = 64


def _client_config(config: Config | None) -> Config:
    """*config* with ``sagemaker-presign/<version>`` added to the user agent, and the pool
    sized for concurrent use where the caller did not size it."""
    from botocore.config import Config

    from ._version import version

    ours = f"sagemaker-presign/{version()}"
    extra = getattr(config, "user_agent_extra", None)
    options: dict[str, Any] = {"user_agent_extra": f"{extra} {ours}" if extra else ours}
    if config is None or "max_pool_connections" not in _user_set(config):
        options["max_pool_connections"] = POOL_SIZE
    tagged = Config(**options)
    return tagged if config is None else config.merge(tagged)


def _user_set(config: Config) -> Mapping[str, object]:
    """The options the caller gave *config* (botocore keeps them; an unknown shape: assume a
    pool size other than botocore's default of 10 was chosen)."""
    given = getattr(config, "_user_provided_options", None)
    if isinstance(given, Mapping):
        return cast("Mapping[str, object]", given)
    size = getattr(config, "max_pool_connections", 10)
    return {"max_pool_connections": size} if size != 10 else {}


def resolve_region(explicit: str | None, configured: object) -> str | None:
    """The region a client is built for, as the AWS CLI v2 and the other SDKs resolve it.

    The argument (or a region set on the caller's session) wins, then ``AWS_REGION``, then
    *configured*: botocore's own answer, ``AWS_DEFAULT_REGION`` before the profile's region.
    botocore alone reads only AWS_DEFAULT_REGION.
    """
    if explicit:
        return check_region(explicit, "region_name")
    environment = os.environ.get("AWS_REGION")
    if environment:
        return check_region(environment, "AWS_REGION")
    if isinstance(configured, str) and configured:
        return check_region(configured, "AWS_DEFAULT_REGION or the profile")
    return None


class BuiltClient:
    """The client we send through, and the full SageMaker client a caller may ask for.

    A client built from our own session reads the trimmed model (four operations): fine for
    our calls, wrong to hand out. ``full()`` builds, once and only when asked, a client of
    the whole model from the same botocore session, so it shares the credentials (and their
    refreshes) and the configuration.
    """

    def __init__(self, client: Any, rebuild: Callable[[], Any] | None = None) -> None:
        self.client = client
        self._rebuild = rebuild
        self._full: Any = None if rebuild is not None else client
        self._lock = threading.Lock()

    def full(self) -> Any:
        with self._lock:
            if self._full is None:
                assert self._rebuild is not None
                self._full = self._rebuild()
            return self._full

    def close(self) -> None:
        with self._lock:
            for client in {id(c): c for c in (self.client, self._full) if c is not None}.values():
                client.close()


def build_client(
    session: boto3.Session | None,
    region_name: str | None,
    profile_name: str | None,
    endpoint_url: str | None,
    config: Config | None,
) -> BuiltClient:
    """Build a SageMaker client from boto3-style arguments, all of them checked first."""
    _check_types(session, region_name, profile_name, endpoint_url, config)
    endpoint_url = check_endpoint_url(endpoint_url)
    from botocore.exceptions import BotoCoreError

    try:
        if session is not None:
            # The caller's session: used as it is, nothing swapped in. A region it was given
            # explicitly counts as the argument.
            botocore_session: Any = getattr(session, "_session", None)
            explicit = region_name
            if explicit is None and botocore_session is not None:
                explicit = botocore_session.instance_variables().get("region")
            return BuiltClient(
                session.client(  # pyright: ignore[reportUnknownMemberType]
                    "sagemaker",
                    region_name=resolve_region(explicit, session.region_name),
                    endpoint_url=endpoint_url,
                    config=_client_config(config),
                )
            )
        # Our own session: botocore's directly (importing boto3 would only add start-up
        # time), with the trimmed SageMaker data when it can be had.
        import botocore.session

        from ._ca_bundle import load_ca_bundle_once
        from ._model_cache import use_trimmed_data

        own = botocore.session.Session(profile=profile_name)
        create = functools.partial(
            own.create_client,
            "sagemaker",
            region_name=resolve_region(region_name, own.get_config_variable("region")),
            endpoint_url=endpoint_url,
            config=_client_config(config),
        )
        plain_loader = own.get_component("data_loader")
        trimmed_loader = use_trimmed_data(own)
        client = create()
        load_ca_bundle_once(client)
        if trimmed_loader is None:
            return BuiltClient(client)

        def full() -> Any:
            own.register_component("data_loader", plain_loader)
            try:
                built = create()
            finally:
                own.register_component("data_loader", trimmed_loader)
            load_ca_bundle_once(built)
            return built

        return BuiltClient(client, full)
    except BotoCoreError as exc:
        raise translate(exc) from exc
    except ValueError as exc:
        # botocore raises a bare ValueError for some malformed settings.
        raise ConfigurationError(f"the AWS configuration is not usable: {exc}") from exc
