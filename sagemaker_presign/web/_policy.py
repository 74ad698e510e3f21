"""Who may open what: the `Target` a request asks for, and ready-made policies over it.

Two questions, kept apart on purpose. *Admission*: may this person use the app at all
(`allow_users`)? *Per-resource policy*: may this person open *this* notebook, profile or server
(`allow_map`, `owner_tag`)? `all_of` and `any_of` combine them; every policy is a plain
``(environ, target) -> bool`` and denies whenever it cannot tell.
"""

from __future__ import annotations

import fnmatch
import glob
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sagemaker_presign._doors import DOORS

if TYPE_CHECKING:
    from sagemaker_presign._client import PresignClient

Environ = Mapping[str, Any]
Identity = Callable[[Environ], "str | None"]

logger = logging.getLogger("sagemaker_presign.web")


def kinds() -> list[str]:
    """The kinds of resource the app opens, as they appear in routes and in `allow_map`
    patterns: the doors that have a route."""
    return [name for name, door in DOORS.items() if door.web is not None]


@dataclass(frozen=True)
class Target:
    """What a request asks to open; `authorize` gets it with the request's environ."""

    kind: str
    """``"notebook"``, ``"studio"`` or ``"mlflow"``."""
    name: str
    """The notebook instance, the Studio user profile or the MLflow tracking server."""
    domain_id: str | None = None
    """For Studio: the domain's ID (a domain name in the route is resolved first)."""
    space_name: str | None = None
    """For Studio: the space, if one was asked for."""

    @property
    def resource(self) -> str:
        """``kind:name`` as `allow_map` patterns match it: ``notebook:nb``,
        ``studio:d-abc123/alice`` or ``studio:d-abc123/alice/space``, ``mlflow:tracker``."""
        return f"{self.kind}:" + "/".join(self._names())

    @property
    def path(self) -> str:
        """The canonical route of this target (never the raw request path)."""
        parts = [self.kind, *self._names()]
        return "/" + "/".join(quote(part, safe="") for part in parts)

    @property
    def identifiers(self) -> dict[str, str | None]:
        """The door's parameters this target stands for, by the door's names
        (``{"notebook_instance_name": "nb"}``): what `PresignClient.presign` takes."""
        web = DOORS[self.kind].web
        assert web is not None  # a Target is made for a routed door only
        known = {"domain_id": self.domain_id, "space_name": self.space_name}
        return {s: self.name if s == web.name else known.get(s) for s in web.segments}

    def _names(self) -> list[str]:
        return [name for name in self.identifiers.values() if name is not None]


def target_for(door: str, params: Mapping[str, str | None]) -> Target:
    """The Target of *door*'s resource named by *params* (the door's parameter names)."""
    web = DOORS[door].web
    assert web is not None
    return Target(
        door,
        str(params[web.name]),
        domain_id=params.get("domain_id"),
        space_name=params.get("space_name"),
    )


Authorize = Callable[[Environ, Target], bool]


def trusted_header(name: str) -> Identity:
    """The identity an authenticating proxy put in header *name* (``X-Forwarded-User``...).

    Only trustworthy behind that proxy, when nothing else can reach the app: anyone who can
    talk to the app directly can send the header too. Servers that fold ``X_Forwarded_User``
    into the same variable let a client smuggle it past a proxy that strips only the dashed
    form; `serve` and gunicorn drop header names with ``_``, as should your server.
    """
    key = "HTTP_" + name.upper().replace("-", "_")

    def identity(environ: Environ) -> str | None:
        value = environ.get(key)
        return value.strip() or None if isinstance(value, str) else None

    return identity


def allow_users(identity: Identity, users: Iterable[str] | None = None) -> Authorize:
    """Admission: requests with an identity (one of *users*, if given) get in, for any target."""
    allowed = None if users is None else frozenset(users)

    def authorize(environ: Environ, target: Target) -> bool:
        who = identity(environ)
        return who is not None and (allowed is None or who in allowed)

    return authorize


def allow_map(
    identity: Identity,
    grants: Mapping[str, Iterable[str]],
    *,
    groups: Callable[[Environ], Iterable[str]] | None = None,
) -> Authorize:
    """Per resource: a person may open what *grants* lists for them, their groups or ``"*"``.

    Keys are identities, ``"group:NAME"`` (with *groups* naming the request's groups) or
    ``"*"`` (everyone with an identity). Values are patterns over `Target.resource` with
    shell wildcards (``*``, ``?``): ``"notebook:team-*"``, ``"mlflow:*"``,
    ``"studio:d-abc123/alice"``; ``{user}`` stands for the person's own identity
    (``"studio:*/{user}"``: everyone their own profile, in any domain).
    """
    table = {key: tuple(_checked_pattern(p) for p in patterns) for key, patterns in grants.items()}

    def authorize(environ: Environ, target: Target) -> bool:
        who = identity(environ)
        if who is None:
            return False
        keys = [who, "*", *(f"group:{g}" for g in (groups(environ) if groups else ()))]
        escaped = glob.escape(who)
        resource = target.resource
        return any(
            fnmatch.fnmatchcase(resource, pattern.replace("{user}", escaped))
            for key in keys
            for pattern in table.get(key, ())
        )

    return authorize


def _checked_pattern(pattern: str) -> str:
    kind = pattern.partition(":")[0]
    if kind not in kinds() and kind != "*":
        raise ValueError(
            f"grant pattern {pattern!r} must start with one of {', '.join(kinds())} and a colon"
        )
    return pattern


def all_of(*policies: Authorize) -> Authorize:
    """Allowed when every one of *policies* allows (admission and a resource policy)."""

    def authorize(environ: Environ, target: Target) -> bool:
        return bool(policies) and all(policy(environ, target) for policy in policies)

    return authorize


def any_of(*policies: Authorize) -> Authorize:
    """Allowed when at least one of *policies* allows."""

    def authorize(environ: Environ, target: Target) -> bool:
        return any(policy(environ, target) for policy in policies)

    return authorize


def owner_tag(
    identity: Identity,
    client: PresignClient,
    key: str = "owner",
    *,
    cache_seconds: float = 30.0,
    cache_size: int = 1024,
) -> Authorize:
    """Per resource: allowed only when the resource carries tag *key* whose value is the person.

    The resource's ARN comes from its ``Describe*`` call and its tags from ``ListTags``; for
    Studio the tag is read from the user profile the URL is minted for. Tags are cached for
    *cache_seconds* (at most 60) in a bounded cache, so a click costs at most two calls and a
    tag removed takes effect within that time. Any error, a missing tag or a missing identity
    denies. This is the ``sagemaker:ResourceTag/<key>`` convention teams already use in IAM.
    """
    if not 0 <= cache_seconds <= 60:
        raise ValueError("cache_seconds must be between 0 and 60")
    if not key:
        raise ValueError("the tag key must be a non-empty string")
    tags = _TagCache(client, cache_seconds, cache_size)

    def authorize(environ: Environ, target: Target) -> bool:
        who = identity(environ)
        if who is None:
            return False
        try:
            owner = tags.get(target).get(key)
        except Exception as error:  # whatever went wrong, the answer is no
            logger.warning("owner tag of %s unreadable, denied: %s", target.resource, error)
            return False
        return owner == who

    return authorize


class _TagCache:
    def __init__(self, client: PresignClient, seconds: float, size: int) -> None:
        self._client = client
        self._seconds = seconds
        self._size = size
        self._entries: OrderedDict[tuple[str, str | None, str], tuple[float, dict[str, str]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, target: Target) -> dict[str, str]:
        cache_key = (target.kind, target.domain_id, target.name)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(cache_key)
            if entry is not None and entry[0] > now:
                return entry[1]
        tags = self._read(target)
        with self._lock:
            self._entries[cache_key] = (now + self._seconds, tags)
            self._entries.move_to_end(cache_key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return tags

    def _read(self, target: Target) -> dict[str, str]:
        sagemaker: Any = self._client.sagemaker_client
        web = DOORS[target.kind].web
        assert web is not None
        arn = web.arn_of(sagemaker, target.identifiers)
        found: dict[str, str] = {}
        for page in sagemaker.get_paginator("list_tags").paginate(ResourceArn=arn):
            for tag in page.get("Tags", []):
                found[str(tag["Key"])] = str(tag["Value"])
        return found
