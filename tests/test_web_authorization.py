"""Who may open what, tested for the person who must be refused as well as the one who passes:
the one-profile-per-person mapping, `allow_map`, `owner_tag`, their combinations, and the CSRF
tokens that guard the Start button."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest

from sagemaker_presign import PresignClient
from sagemaker_presign.testing import LocalSageMaker
from sagemaker_presign.web import (
    Target,
    all_of,
    allow_map,
    allow_users,
    any_of,
    create_app,
    owner_tag,
    trusted_header,
)
from sagemaker_presign.web._csrf import CsrfTokens, secret_bytes

from .web_support import USER, Site, csrf_of, started

BOB = {"X-Forwarded-User": "bob"}
identity = trusted_header("X-Forwarded-User")


def presigned(sagemaker: LocalSageMaker) -> list[dict[str, Any]]:
    return [
        dict(r.body)
        for r in sagemaker.requests
        if r.operation.startswith("CreatePresigned") or r.operation == "StartNotebookInstance"
    ]


@pytest.fixture
def studio(sagemaker: LocalSageMaker) -> str:
    domain = sagemaker.add_domain(name="research").domain_id
    sagemaker.add_user_profile(domain, "alice")
    sagemaker.add_user_profile(domain, "bob")
    return domain


# --- studio_profile_for: the docs' promise "nobody can open another's" ---


@pytest.mark.parametrize("route", ["/studio/{d}/bob", "/studio/{d}/bob/team-space"])
def test_a_mapped_person_cannot_open_another_profile(
    sagemaker: LocalSageMaker, client: PresignClient, studio: str, route: str
) -> None:
    site = Site(sagemaker, client, studio_profile_for=identity)
    try:
        status, headers, body = site.request("GET", route.format(d=studio), USER)
        assert status == 403
        assert "Location" not in headers
        assert "bob" not in body
        assert presigned(sagemaker) == [], "nothing was minted for bob"
        # The one who must pass does: bob's own profile, for bob; alice's own, for alice.
        assert site.request("GET", f"/studio/{studio}/bob", BOB)[0] == 303
        assert site.request("GET", f"/studio/{studio}", USER)[0] == 303
        assert [b["UserProfileName"] for b in presigned(sagemaker)] == ["bob", "alice"]
    finally:
        site.close()


def test_a_domain_name_works_as_well_as_its_id(
    sagemaker: LocalSageMaker, client: PresignClient, studio: str
) -> None:
    site = Site(sagemaker, client, studio_profile_for=identity)
    try:
        assert site.request("GET", "/studio/research", USER)[0] == 303
        assert site.request("GET", "/studio/research/alice", USER)[0] == 303
        assert site.request("GET", "/studio/research/bob", USER)[0] == 403
        assert site.request("GET", "/studio/no-such-domain", USER)[0] == 404
        sent = presigned(sagemaker)
        assert {b["DomainId"] for b in sent} == {studio}
    finally:
        site.close()


def test_a_denied_person_does_not_learn_which_domain_names_exist(
    sagemaker: LocalSageMaker, client: PresignClient, studio: str
) -> None:
    site = Site(sagemaker, client)
    try:
        mallory = {"X-Forwarded-User": "mallory"}
        assert site.request("GET", "/studio/no-such-domain/x", mallory)[0] == 403
        assert site.request("GET", "/studio/research/x", mallory)[0] == 403
    finally:
        site.close()


@pytest.mark.parametrize(
    "path",
    [
        "/studio/not%20a%20domain%3Cx%3E/alice",
        "/studio/d-abc/-bad-",
        "/studio/d-abc/alice/sp%00ce",
        "/notebook/-bad-",
        "/notebook/" + "n" * 64,
        "/mlflow/bad_name",
        "/notebook/a/b",
    ],
)
def test_impossible_names_are_refused_before_any_request(site: Site, path: str) -> None:
    status, _, _ = site.request("GET", path, USER)
    assert status == 404
    assert site.sagemaker.requests == []


# --- allow_map ---


def test_allow_map_grants_per_person_group_and_everyone() -> None:
    policy = allow_map(
        identity,
        {
            "alice": ["notebook:alice-*", "mlflow:tracker"],
            "group:ml": ["mlflow:*"],
            "*": ["studio:*/{user}"],
        },
        groups=lambda environ: str(environ.get("HTTP_X_GROUPS", "")).split(","),
    )
    alice = {"HTTP_X_FORWARDED_USER": "alice"}
    bob = {"HTTP_X_FORWARDED_USER": "bob"}
    bob_ml = {**bob, "HTTP_X_GROUPS": "ml"}
    assert policy(alice, Target("notebook", "alice-box"))
    assert not policy(alice, Target("notebook", "bob-box"))
    assert not policy(bob, Target("notebook", "alice-box"))
    assert policy(alice, Target("mlflow", "tracker"))
    assert not policy(bob, Target("mlflow", "tracker"))
    assert policy(bob_ml, Target("mlflow", "tracker"))
    assert policy(bob, Target("studio", "bob", domain_id="d-1"))
    assert not policy(bob, Target("studio", "alice", domain_id="d-1"))
    assert not policy({}, Target("studio", "bob", domain_id="d-1")), "no identity, no access"
    # {user} is the identity taken literally, never a wildcard of its own.
    star = {"HTTP_X_FORWARDED_USER": "*"}
    assert not policy(star, Target("studio", "alice", domain_id="d-1"))


def test_allow_map_refuses_a_pattern_without_a_kind() -> None:
    with pytest.raises(ValueError, match="must start with one of notebook, studio, mlflow"):
        allow_map(identity, {"alice": ["alice-*"]})


def test_all_of_and_any_of() -> None:
    yes = allow_users(identity)
    no = allow_users(identity, [])
    alice = {"HTTP_X_FORWARDED_USER": "alice"}
    target = Target("notebook", "nb")
    assert all_of(yes, yes)(alice, target)
    assert not all_of(yes, no)(alice, target)
    assert not all_of()(alice, target), "an empty all_of allows nothing"
    assert any_of(no, yes)(alice, target)
    assert not any_of(no, no)(alice, target)
    assert not any_of()(alice, target)


# --- owner_tag ---


def arn_of(client: PresignClient, kind: str, name: str, domain: str | None = None) -> str:
    sagemaker: Any = client.sagemaker_client
    if kind == "notebook":
        return str(
            sagemaker.describe_notebook_instance(NotebookInstanceName=name)["NotebookInstanceArn"]
        )
    return str(
        sagemaker.describe_user_profile(DomainId=domain, UserProfileName=name)["UserProfileArn"]
    )


@pytest.fixture
def tagged(sagemaker: LocalSageMaker, client: PresignClient, studio: str) -> Iterator[Site]:
    sagemaker.add_notebook_instance("alice-nb")
    sagemaker.add_notebook_instance("bob-nb")
    sagemaker.add_notebook_instance("untagged-nb")
    sagemaker.tag(arn_of(client, "notebook", "alice-nb"), owner="alice", team="x")
    sagemaker.tag(arn_of(client, "notebook", "bob-nb"), owner="bob")
    sagemaker.tag(arn_of(client, "studio", "alice", studio), owner="alice")
    policy = all_of(allow_users(identity), owner_tag(identity, client, "owner"))
    site = Site(sagemaker, client, authorize=policy)
    sagemaker.clear_requests()
    yield site
    site.close()


def test_owner_tag_lets_the_owner_in_and_nobody_else(tagged: Site, studio: str) -> None:
    assert tagged.request("GET", "/notebook/alice-nb", USER)[0] == 303
    assert tagged.request("GET", "/notebook/alice-nb", BOB)[0] == 403
    assert tagged.request("GET", "/notebook/bob-nb", USER)[0] == 403
    assert tagged.request("GET", "/notebook/bob-nb", BOB)[0] == 303
    assert tagged.request("GET", "/notebook/untagged-nb", USER)[0] == 403, "no tag, no entry"
    assert tagged.request("GET", f"/studio/{studio}/alice", USER)[0] == 303
    assert tagged.request("GET", f"/studio/{studio}/bob", USER)[0] == 403, "bob's is untagged"
    assert tagged.request("GET", f"/studio/{studio}/alice", BOB)[0] == 403
    names = [b.get("NotebookInstanceName") for b in presigned(tagged.sagemaker)]
    assert names.count("alice-nb") == 1
    assert names.count("bob-nb") == 1
    assert "untagged-nb" not in names


def test_owner_tag_is_cached_briefly(tagged: Site) -> None:
    for _ in range(3):
        assert tagged.request("GET", "/notebook/alice-nb", USER)[0] == 303
    operations = [r.operation for r in tagged.sagemaker.requests]
    assert operations.count("ListTags") == 1, "read once, then from the cache"


def test_owner_tag_denies_on_any_error(tagged: Site) -> None:
    tagged.sagemaker.fail_next("ThrottlingException", operation="ListTags", times=10)
    assert tagged.request("GET", "/notebook/alice-nb", USER)[0] == 403
    assert presigned(tagged.sagemaker) == []
    assert tagged.request("GET", "/notebook/no-such-nb", USER)[0] == 403, "unknown: denied"


def test_owner_tag_checks_its_settings(client: PresignClient) -> None:
    with pytest.raises(ValueError, match="between 0 and 60"):
        owner_tag(identity, client, cache_seconds=61)
    with pytest.raises(ValueError, match="non-empty"):
        owner_tag(identity, client, "")


def test_owner_tag_cache_is_bounded(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    for index in range(5):
        sagemaker.add_notebook_instance(f"nb-{index}")
    policy = owner_tag(identity, client, cache_size=2)
    alice = {"HTTP_X_FORWARDED_USER": "alice"}
    for index in range(5):
        assert not policy(alice, Target("notebook", f"nb-{index}"))
    sagemaker.clear_requests()
    assert not policy(alice, Target("notebook", "nb-0"))  # evicted: read again
    assert [r.operation for r in sagemaker.requests].count("ListTags") == 1


# --- CSRF ---


def test_without_an_identity_nothing_can_be_started(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_notebook_instance("stopped-nb", status="Stopped")
    site = Site(sagemaker, client, identity=None, authorize=lambda environ, target: True)  # pyright: ignore[reportUnknownLambdaType]
    try:
        status, headers, page = site.request("GET", "/notebook/stopped-nb", USER)
        assert status == 200
        assert "<form" not in page, "no Start button without an identity"
        assert "(0s)" not in page
        assert headers["Refresh"] == "1"
        # The old app keyed tokens on None: one made for "None" must not start anything.
        for who in ("None", ""):
            forged = CsrfTokens(b"x" * 32).issue(who, "notebook:stopped-nb", "start")
            status, _, page = site.request(
                "POST", "/notebook/stopped-nb", USER, urlencode({"csrf": forged})
            )
            assert status == 403
            assert "signed-in person" in page
        assert started(sagemaker) == 0
    finally:
        site.close()


def test_a_token_binds_the_resource_and_the_person(site: Site) -> None:
    site.sagemaker.add_notebook_instance("other-stopped", status="Stopped")
    token = csrf_of(site.request("GET", "/notebook/stopped-nb", USER)[2])
    for path, who in (("/notebook/other-stopped", USER), ("/notebook/stopped-nb", BOB)):
        status, _, page = site.request("POST", path, who, urlencode({"csrf": token}))
        assert status == 403
        assert "not valid" in page
    assert started(site.sagemaker) == 0


@pytest.mark.parametrize(
    "token", ["\u00e9" * 10, "1.2", "9" * 13 + "." + "0" * 64, "%ff%fe", "a" * 5000]
)
def test_malformed_tokens_are_403_never_500(site: Site, token: str) -> None:
    status, _, page = site.request(
        "POST", "/notebook/stopped-nb", USER, urlencode({"csrf": token})[:4000]
    )
    assert status == 403
    assert "not valid" in page
    assert started(site.sagemaker) == 0


def test_an_old_token_says_the_form_expired(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_notebook_instance("stopped-nb", status="Stopped")
    site = Site(sagemaker, client, secret="s" * 32)
    try:
        tokens = CsrfTokens(secret_bytes("s" * 32))
        old = tokens.issue("alice", "notebook:stopped-nb", "start", now=time.time() - 601)
        body = urlencode({"csrf": old})
        status, _, page = site.request("POST", "/notebook/stopped-nb", USER, body)
        assert status == 403
        assert "expired" in page
        status, _, page = site.request("POST", "/notebook/stopped-nb", USER, "")
        assert status == 403
        assert "expired" not in page, "no token sent is not an expired form"
        fresh = urlencode({"csrf": tokens.issue("alice", "notebook:stopped-nb", "start")})
        assert site.request("POST", "/notebook/stopped-nb", USER, fresh)[0] == 303
        assert started(sagemaker) == 1
    finally:
        site.close()


def test_tokens_live_ten_minutes_at_most() -> None:
    tokens = CsrfTokens(secret_bytes("s" * 32))
    now = time.time()
    token = tokens.issue("alice", "notebook:nb", "start", now=now)
    assert tokens.check(token, "alice", "notebook:nb", "start", now=now + 599) == "valid"
    assert tokens.check(token, "alice", "notebook:nb", "start", now=now + 601) == "expired"
    assert tokens.check(token, "alice", "notebook:nb", "stop", now=now) == "invalid"


def test_a_shared_secret_makes_replicas_accept_each_other(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_notebook_instance("stopped-nb", status="Stopped")
    first = Site(sagemaker, client, secret="shared-secret-of-the-deployment")
    second = Site(sagemaker, client, secret="shared-secret-of-the-deployment")
    other = Site(sagemaker, client)
    try:
        token = csrf_of(first.request("GET", "/notebook/stopped-nb", USER)[2])
        body = urlencode({"csrf": token})
        assert other.request("POST", "/notebook/stopped-nb", USER, body)[0] == 403
        assert started(sagemaker) == 0
        assert second.request("POST", "/notebook/stopped-nb", USER, body)[0] == 303
        assert started(sagemaker) == 1
    finally:
        for running in (first, second, other):
            running.close()


def test_a_short_secret_is_refused(client: PresignClient) -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        create_app(client, authorize=allow_users(identity), secret="short")
