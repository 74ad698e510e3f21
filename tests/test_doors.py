"""Every presigned door through real botocore against LocalSageMaker: Studio, MLflow, partner
apps, notebook landing paths; their rules, results, errors and lifecycles."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.loaders import create_loader

from sagemaker_presign import (
    AsyncPresignClient,
    InvalidExpiresInError,
    InvalidLandingError,
    InvalidResourceIdentifierError,
    LandingUri,
    MlflowTrackingServerStatus,
    NotebookInstanceNotFoundError,
    PresignClient,
    PresignedDomainUrl,
    PresignedMlflowAppUrl,
    PresignedMlflowTrackingServerUrl,
    PresignedPartnerAppUrl,
    PresignedUrl,
    ResourceFailedError,
    ResourceNotFoundError,
    ResourceNotInServiceError,
    ServiceError,
    StudioStatus,
    UnsupportedOperationError,
    WaitTimeoutError,
)
from sagemaker_presign.cli import ExitCode
from sagemaker_presign.testing import LocalSageMaker

from .support import FAST_CONFIG, NOTEBOOK, client_of_an_older_botocore

SERVER = "tracker"


def has(operation: str) -> bool:
    """Whether the installed botocore knows *operation* (the lowest we allow lacks some)."""
    return operation in create_loader().load_service_model("sagemaker", "service-2")["operations"]


needs = {
    op: pytest.mark.skipif(not has(op), reason=f"botocore {botocore.__version__} lacks {op}")
    for op in (
        "CreatePresignedMlflowTrackingServerUrl",
        "CreatePresignedMlflowAppUrl",
        "CreatePartnerAppPresignedUrl",
    )
}
needs_landing_uri = pytest.mark.skipif(
    "LandingUri"
    not in create_loader().load_service_model("sagemaker", "service-2")["shapes"][
        "CreatePresignedDomainUrlRequest"
    ]["members"],
    reason="this botocore's CreatePresignedDomainUrl has no LandingUri",
)


@pytest.fixture
def world(sagemaker: LocalSageMaker) -> dict[str, str]:
    """A domain with a profile and a space, a tracking server, an MLflow app, a partner app."""
    domain = sagemaker.add_domain().domain_id
    sagemaker.add_user_profile(domain, "alice")
    sagemaker.add_space(domain, "team-space", owner="alice")
    sagemaker.add_mlflow_tracking_server(SERVER)
    return {
        "domain": domain,
        "mlflow_app": sagemaker.add_mlflow_app().arn,
        "partner_app": sagemaker.add_partner_app().arn,
    }


def last_body(sagemaker: LocalSageMaker) -> dict[str, Any]:
    return dict(sagemaker.requests[-1].body)


# --- Studio ---------------------------------------------------------------------------------


def test_studio_url(
    sagemaker: LocalSageMaker, client: PresignClient, world: dict[str, str]
) -> None:
    result = client.create_presigned_domain_url(
        world["domain"], "alice", space_name="team-space", expires_in=60, session_duration=3600
    )
    assert isinstance(result, PresignedDomainUrl)
    assert isinstance(result, PresignedUrl)
    assert result.url == sagemaker.issued_domain_urls[-1]
    assert (result.domain_id, result.user_profile_name, result.space_name) == (
        world["domain"],
        "alice",
        "team-space",
    )
    assert result.valid_for == timedelta(seconds=60)
    assert result.expires_at == result.issued_at + timedelta(seconds=60)
    assert result.host == f"{world['domain']}.studio.us-east-1.sagemaker.aws"
    assert last_body(sagemaker) == {
        "DomainId": world["domain"],
        "UserProfileName": "alice",
        "SpaceName": "team-space",
        "ExpiresInSeconds": 60,
        "SessionExpirationDurationInSeconds": 3600,
    }
    token = result.url.partition("token=")[2]
    assert token not in repr(result) + str(result)
    assert pickle.loads(pickle.dumps(result)) == result
    # Without expires_in the service's default, 300 s, is the validity.
    default = client.create_presigned_domain_url(world["domain"], "alice")
    assert default.valid_for == timedelta(seconds=300)
    assert "ExpiresInSeconds" not in last_body(sagemaker)


@needs_landing_uri
@pytest.mark.parametrize(
    ("landing", "sent"),
    [
        (LandingUri.studio("home"), "studio::home"),
        (LandingUri.app("JupyterLab", "lab/tree/a.ipynb"), "app:JupyterLab:lab/tree/a.ipynb"),
        (LandingUri.app("CodeEditor"), "app:CodeEditor:"),
        ("app:SomeFutureApp:x", "app:SomeFutureApp:x"),  # app types this version does not know
    ],
)
def test_studio_landing_uris(
    sagemaker: LocalSageMaker,
    client: PresignClient,
    world: dict[str, str],
    landing: str,
    sent: str,
) -> None:
    result = client.create_presigned_domain_url(world["domain"], "alice", landing_uri=landing)
    assert last_body(sagemaker)["LandingUri"] == sent
    assert result.landing_uri == sent


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            {"domain_id": "studio"},
            (InvalidResourceIdentifierError, "pass the ID, not the domain's"),
        ),
        ({"domain_id": "d-" + "a" * 62}, (InvalidResourceIdentifierError, "at most 63")),
        ({"domain_id": "D-ABC"}, (InvalidResourceIdentifierError, "invalid domain ID")),
        ({"user_profile_name": "-alice"}, (InvalidResourceIdentifierError, "user profile name")),
        ({"user_profile_name": ""}, (InvalidResourceIdentifierError, "must not be empty")),
        ({"space_name": "team space"}, (InvalidResourceIdentifierError, "space name")),
        ({"landing_uri": "lab/tree"}, (InvalidLandingError, "studio::<path> or app:")),
        ({"landing_uri": "studio::" + "x" * 1016}, (InvalidLandingError, "at most 1023")),
        ({"landing_uri": "app:JupyterLab:\n"}, (InvalidLandingError, "control characters")),
        ({"expires_in": 4}, (InvalidExpiresInError, "from 5 s to 300 s")),
        ({"expires_in": 301}, (InvalidExpiresInError, "not 301 s")),
        ({"expires_in": timedelta(seconds=5.5)}, (InvalidExpiresInError, "whole seconds")),
        ({"expires_in": 30.0}, (TypeError, "expires_in must be an int")),
        ({"expires_in": True}, (TypeError, "expires_in must be an int")),
        ({"domain_id": 7}, (TypeError, "domain ID must be a str")),
        ({"landing_uri": 3}, (TypeError, "landing_uri must be a str")),
        ({"session_duration": 60}, (ValueError, "session duration")),
    ],
)
def test_studio_input_is_checked_before_sending(
    sagemaker: LocalSageMaker,
    client: PresignClient,
    world: dict[str, str],
    arguments: dict[str, Any],
    expected: tuple[type[Exception], str],
) -> None:
    error, fragment = expected
    call: dict[str, Any] = {"domain_id": world["domain"], "user_profile_name": "alice", **arguments}
    with pytest.raises(error, match=fragment):
        client.create_presigned_domain_url(**call)
    assert sagemaker.requests == []


def test_studio_not_found_names_what_and_where(
    client: PresignClient, world: dict[str, str]
) -> None:
    with pytest.raises(ResourceNotFoundError) as caught:
        client.create_presigned_domain_url(world["domain"], "bob", space_name="team-space")
    message = str(caught.value)
    assert "Studio user profile 'bob'" in message
    assert world["domain"] in message
    assert "'team-space'" in message
    assert "in us-east-1" in message
    assert caught.value.code == "ResourceNotFound"
    assert not isinstance(caught.value, NotebookInstanceNotFoundError)
    assert issubclass(NotebookInstanceNotFoundError, ResourceNotFoundError)


def test_an_sso_domain_says_what_to_do(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    domain = sagemaker.add_domain(auth_mode="SSO").domain_id
    sagemaker.add_user_profile(domain, "carol")
    with pytest.raises(ServiceError, match=r"IAM Identity Center \(SSO\).*access portal"):
        client.create_presigned_domain_url(domain, "carol")


def test_waiting_for_a_new_profile_and_its_space(
    sagemaker: LocalSageMaker, client: PresignClient, world: dict[str, str]
) -> None:
    domain = world["domain"]
    sagemaker.add_user_profile(domain, "newbie", status="Pending").upcoming = [
        "Pending",
        "InService",
    ]
    sagemaker.add_space(domain, "fresh", status="Pending").upcoming = ["Pending", "InService"]
    seen: list[StudioStatus] = []
    status = client.wait_until_studio_ready(
        domain, "newbie", space_name="fresh", on_status=seen.append
    )
    assert status is StudioStatus.IN_SERVICE
    operations = [r.operation for r in sagemaker.requests]
    assert operations.count("DescribeUserProfile") >= 2
    assert "DescribeSpace" in operations
    assert operations.index("DescribeSpace") > operations.index("DescribeUserProfile")
    assert client.create_presigned_domain_url(domain, "newbie", space_name="fresh").url


def test_a_failed_profile_stops_the_wait(
    sagemaker: LocalSageMaker, client: PresignClient, world: dict[str, str]
) -> None:
    profile = sagemaker.add_user_profile(world["domain"], "broken", status="Failed")
    profile.failure_reason = "The EFS home folder could not be created"
    with pytest.raises(ResourceFailedError, match="EFS home folder") as caught:
        client.wait_until_studio_ready(world["domain"], "broken")
    assert caught.value.failure_reason == "The EFS home folder could not be created"
    sagemaker.add_user_profile(world["domain"], "leaving", status="Deleting")
    with pytest.raises(ResourceNotInServiceError):
        client.wait_until_studio_ready(world["domain"], "leaving")


# --- MLflow ---------------------------------------------------------------------------------


@needs["CreatePresignedMlflowTrackingServerUrl"]
def test_mlflow_tracking_server_url(
    sagemaker: LocalSageMaker, client: PresignClient, world: dict[str, str]
) -> None:
    result = client.create_presigned_mlflow_tracking_server_url(
        SERVER, expires_in=timedelta(minutes=2)
    )
    assert isinstance(result, PresignedMlflowTrackingServerUrl)
    assert result.tracking_server_name == SERVER
    assert result.valid_for == timedelta(minutes=2)
    assert last_body(sagemaker) == {"TrackingServerName": SERVER, "ExpiresInSeconds": 120}
    with pytest.raises(ResourceNotFoundError, match="MLflow tracking server 'nope'"):
        client.create_presigned_mlflow_tracking_server_url("nope")
    with pytest.raises(InvalidResourceIdentifierError, match="at most 256"):
        client.create_presigned_mlflow_tracking_server_url("a" * 257)


@needs["CreatePresignedMlflowTrackingServerUrl"]
def test_start_and_wait_for_a_tracking_server(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_mlflow_tracking_server("sleepy", status="Stopped")
    with pytest.raises(ResourceNotInServiceError, match="start=True") as caught:
        client.wait_until_mlflow_tracking_server_ready("sleepy")
    assert caught.value.status is MlflowTrackingServerStatus.STOPPED
    seen: list[MlflowTrackingServerStatus] = []
    status = client.wait_until_mlflow_tracking_server_ready(
        "sleepy", start=True, on_status=seen.append
    )
    assert status is MlflowTrackingServerStatus.STARTED
    assert seen[0] is MlflowTrackingServerStatus.STOPPED
    assert MlflowTrackingServerStatus.STARTING in seen
    assert [r.operation for r in sagemaker.requests].count("StartMlflowTrackingServer") == 1
    assert client.get_mlflow_tracking_server_status("sleepy") is MlflowTrackingServerStatus.STARTED


@needs["CreatePresignedMlflowTrackingServerUrl"]
@pytest.mark.parametrize("status", ["CreateFailed", "StartFailed", "MaintenanceFailed"])
def test_failed_tracking_servers_raise(
    sagemaker: LocalSageMaker, client: PresignClient, status: str
) -> None:
    sagemaker.add_mlflow_tracking_server("sick", status=status)
    with pytest.raises(ResourceFailedError, match=f"is {status}"):
        client.wait_until_mlflow_tracking_server_ready("sick", start=True)


@needs["CreatePresignedMlflowTrackingServerUrl"]
def test_a_tracking_server_wait_times_out(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_mlflow_tracking_server("slow", status="Starting")
    with pytest.raises(WaitTimeoutError, match="was not Started within") as caught:
        client.wait_until_mlflow_tracking_server_ready("slow", timeout=0.3, poll_interval=0.05)
    assert caught.value.last_status == "Starting"


@needs["CreatePresignedMlflowAppUrl"]
def test_mlflow_app_url(
    sagemaker: LocalSageMaker, client: PresignClient, world: dict[str, str]
) -> None:
    result = client.create_presigned_mlflow_app_url(world["mlflow_app"], session_duration=1800)
    assert isinstance(result, PresignedMlflowAppUrl)
    assert result.arn == world["mlflow_app"]
    assert result.session_duration == timedelta(minutes=30)
    assert last_body(sagemaker) == {
        "Arn": world["mlflow_app"],
        "SessionExpirationDurationInSeconds": 1800,
    }
    with pytest.raises(InvalidResourceIdentifierError, match="mlflow-app/"):
        client.create_presigned_mlflow_app_url("arn:aws:sagemaker:us-east-1:1:mlflow-app/x")


# --- partner apps ---------------------------------------------------------------------------


@needs["CreatePartnerAppPresignedUrl"]
def test_partner_app_url_reads_the_url_field(
    sagemaker: LocalSageMaker, client: PresignClient, world: dict[str, str]
) -> None:
    result = client.create_partner_app_presigned_url(world["partner_app"])
    assert isinstance(result, PresignedPartnerAppUrl)
    assert result.arn == world["partner_app"]
    assert result.url.startswith("https://app-")
    sagemaker.respond_next(json.dumps({"AuthorizedUrl": "https://x.example/?t=1"}).encode())
    with pytest.raises(Exception, match="has no Url"):
        client.create_partner_app_presigned_url(world["partner_app"])
    with pytest.raises(InvalidResourceIdentifierError, match="partner-app/app-"):
        client.create_partner_app_presigned_url(world["partner_app"].lower())


# --- notebook landing paths -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/lab", "/lab"),
        ("/tree", "/tree"),
        ("/lab/tree/dir/analysis.ipynb", "/lab/tree/dir/analysis.ipynb"),
        ("/lab/tree/my notes/ü.ipynb", "/lab/tree/my%20notes/%C3%BC.ipynb"),
        ("/proxy/8080/", "/proxy/8080/"),
    ],
)
def test_landing_paths_go_before_the_query(
    sagemaker: LocalSageMaker, client: PresignClient, path: str, expected: str
) -> None:
    result = client.create_presigned_url(NOTEBOOK, landing_path=path)
    issued = sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1]
    host, _, query = issued.partition("?")
    assert result.url == f"{host}{expected}?{query}"
    assert result.landing_path == path
    assert "landing" not in json.dumps(last_body(sagemaker)).lower(), "not an API parameter"


@pytest.mark.parametrize(
    "host",
    [
        "demo-nb-a1b2c3.notebook.us-east-1.sagemaker.aws",  # real hosts carry suffixes
        "demo-nb.notebook.cn-north-1.sagemaker.com.cn",  # China regions use another domain
    ],
)
def test_landing_paths_keep_the_host_the_service_returned(
    sagemaker: LocalSageMaker, client: PresignClient, host: str
) -> None:
    sagemaker.respond_next(json.dumps({"AuthorizedUrl": f"https://{host}?authToken=T"}).encode())
    assert client.create_presigned_url(NOTEBOOK, landing_path="/lab").url == (
        f"https://{host}/lab?authToken=T"
    )


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("lab", "must start with '/'"),
        ("/lab?x=1", "'?'"),
        ("/lab#x", "'#'"),
        ("/lab/../etc", "'..'"),
        ("/lab/./x", "'.'"),
        ("/lab\r\nX-Evil: 1", "'\\\\r'"),
        ("/lab\\x", "'\\\\\\\\'"),
    ],
)
def test_bad_landing_paths_are_refused(
    sagemaker: LocalSageMaker, client: PresignClient, path: str, fragment: str
) -> None:
    with pytest.raises(InvalidLandingError, match=fragment):
        client.create_presigned_url(NOTEBOOK, landing_path=path)
    assert sagemaker.requests == []


# --- a botocore that lacks an operation -----------------------------------------------------


@pytest.fixture
def old_botocore_client(
    sagemaker: LocalSageMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> PresignClient:
    """A client whose SageMaker model has none of the newer operations, as botocore 1.31."""
    return client_of_an_older_botocore(
        sagemaker,
        tmp_path,
        monkeypatch,
        (
            "CreatePresignedMlflowTrackingServerUrl",
            "DescribeMlflowTrackingServer",
            "StartMlflowTrackingServer",
            "CreatePresignedMlflowAppUrl",
            "CreatePartnerAppPresignedUrl",
        ),
        (("CreatePresignedDomainUrlRequest", "LandingUri"),),
    )


def call_door(client: PresignClient, world: dict[str, str], door: str) -> object:
    if door == "mlflow":
        return client.create_presigned_mlflow_tracking_server_url(SERVER)
    if door == "mlflow-app":
        return client.create_presigned_mlflow_app_url(world["mlflow_app"])
    if door == "partner-app":
        return client.create_partner_app_presigned_url(world["partner_app"])
    if door == "landing-uri":
        return client.create_presigned_domain_url(
            world["domain"], "alice", landing_uri=LandingUri.studio()
        )
    return client.wait_until_mlflow_tracking_server_ready(SERVER)


@pytest.mark.parametrize(
    ("door", "fragment"),
    [
        ("mlflow", "CreatePresignedMlflowTrackingServerUrl, which botocore 1.34.129 added"),
        ("mlflow-app", "CreatePresignedMlflowAppUrl, which botocore 1.42.1 added"),
        ("partner-app", "CreatePartnerAppPresignedUrl, which botocore 1.35.75 added"),
        ("landing-uri", "CreatePresignedDomainUrl's LandingUri, which botocore 1.33.3 added"),
        ("mlflow-wait", "DescribeMlflowTrackingServer, which botocore 1.34.129 added"),
    ],
)
def test_a_botocore_too_old_is_an_unsupported_operation_error(
    sagemaker: LocalSageMaker,
    old_botocore_client: PresignClient,
    world: dict[str, str],
    door: str,
    fragment: str,
) -> None:
    with pytest.raises(UnsupportedOperationError, match=fragment) as caught:
        call_door(old_botocore_client, world, door)
    assert "nothing was sent" in str(caught.value)
    assert sagemaker.requests == []


# --- asyncio and the command line -----------------------------------------------------------


@needs["CreatePartnerAppPresignedUrl"]
@pytest.mark.anyio
async def test_async_twins(client: PresignClient, world: dict[str, str]) -> None:
    aclient = AsyncPresignClient.from_sync(client)
    studio = await aclient.create_presigned_domain_url(world["domain"], "alice")
    assert isinstance(studio, PresignedDomainUrl)
    assert await aclient.wait_until_studio_ready(world["domain"], "alice") is (
        StudioStatus.IN_SERVICE
    )
    server = await aclient.create_presigned_mlflow_tracking_server_url(SERVER)
    assert server.tracking_server_name == SERVER
    status = await aclient.wait_until_mlflow_tracking_server_ready(SERVER)
    assert status is MlflowTrackingServerStatus.STARTED
    assert await aclient.get_mlflow_tracking_server_status(SERVER) is status
    partner = await aclient.create_partner_app_presigned_url(world["partner_app"])
    assert partner.arn == world["partner_app"]
    if has("CreatePresignedMlflowAppUrl"):
        app = await aclient.create_presigned_mlflow_app_url(world["mlflow_app"])
        assert app.arn == world["mlflow_app"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sagemaker_presign", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "identifiers"),
    [
        (
            ["studio", "--domain", "d-abc123", "--user-profile", "alice", "--space", "s1"],
            {"domain_id": "d-abc123", "user_profile_name": "alice", "space_name": "s1"},
        ),
        (["mlflow", "tracker", "--start"], {"tracking_server_name": "tracker"}),
        (["notebook", "nb", "--path", "/lab"], {"notebook_instance_name": "nb"}),
    ],
)
def test_each_subcommand_prints_its_doors_identifiers(
    args: list[str], identifiers: dict[str, str]
) -> None:
    if args[0] == "mlflow" and not has("CreatePresignedMlflowTrackingServerUrl"):
        pytest.skip("this botocore lacks MLflow")
    proc = cli("--local", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert identifiers.items() <= document.items()
    assert document["url"].startswith("https://")
    assert {"issued_at", "expires_at", "session_duration_seconds"} <= set(document)


def test_studio_subcommand_lands_in_an_app() -> None:
    if (
        not has("CreatePresignedDomainUrl")
        or "LandingUri"
        not in create_loader().load_service_model("sagemaker", "service-2")["shapes"][
            "CreatePresignedDomainUrlRequest"
        ]["members"]
    ):
        pytest.skip("this botocore's CreatePresignedDomainUrl has no LandingUri")
    proc = cli(
        "--local",
        "studio",
        "--domain",
        "d-abc123",
        "--user-profile",
        "alice",
        "--app",
        "jupyterlab",
        "--path",
        "lab/tree/a.ipynb",
        "--expires-in",
        "1m",
        "--json",
    )
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert document["landing_uri"] == "app:JupyterLab:lab/tree/a.ipynb"


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["studio", "--domain", "d-BAD_ID", "--user-profile", "u"], ExitCode.USAGE, "domain ID"),
        (
            ["studio", "--domain", "d-a", "--user-profile", "u", "--path", "x"],
            ExitCode.USAGE,
            "--path goes with --app",
        ),
        (["mlflow-app", "arn:nope"], ExitCode.USAGE, "MLflow app ARN"),
        (
            [
                "partner-app",
                "arn:aws:sagemaker:us-east-1:123456789012:partner-app/app-ABCDEF123456",
                *("--expires-in", "10m"),
            ],
            ExitCode.USAGE,
            "expires_in",
        ),
    ],
)
def test_subcommand_usage_errors(args: list[str], code: ExitCode, fragment: str) -> None:
    proc = cli("--local", *args)
    assert proc.returncode == code, proc.stderr
    assert fragment in proc.stderr
    assert proc.stdout == ""


def test_a_missing_studio_profile_exits_3(sagemaker: LocalSageMaker, world: dict[str, str]) -> None:
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "sagemaker_presign", "studio", "--domain", world["domain"]),
            *("--user-profile", "nobody", "--region", "us-east-1"),
            *("--endpoint-url", sagemaker.endpoint_url),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_MAX_ATTEMPTS": "1"},
    )
    assert proc.returncode == ExitCode.NOT_FOUND, proc.stderr
    assert "Studio user profile 'nobody'" in proc.stderr


def test_the_stubber_agrees_with_every_doors_request(world: dict[str, str]) -> None:
    """botocore's Stubber checks each request against the service model."""
    import boto3
    from botocore.stub import Stubber

    raw: Any = boto3.Session(
        aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1"
    ).client("sagemaker", config=FAST_CONFIG)  # pyright: ignore[reportUnknownMemberType]
    client = PresignClient(raw)
    url = "https://h.example/auth?token=T"
    with Stubber(raw) as stubber:
        stubber.add_response(
            "create_presigned_domain_url",
            {"AuthorizedUrl": url},
            {"DomainId": world["domain"], "UserProfileName": "alice", "ExpiresInSeconds": 5},
        )
        client.create_presigned_domain_url(world["domain"], "alice", expires_in=5)
        if has("CreatePresignedMlflowTrackingServerUrl"):
            stubber.add_response(
                "create_presigned_mlflow_tracking_server_url",
                {"AuthorizedUrl": url},
                {"TrackingServerName": SERVER, "SessionExpirationDurationInSeconds": 43200},
            )
            client.create_presigned_mlflow_tracking_server_url(SERVER, session_duration=43200)
        if has("CreatePartnerAppPresignedUrl"):
            stubber.add_response(
                "create_partner_app_presigned_url", {"Url": url}, {"Arn": world["partner_app"]}
            )
            client.create_partner_app_presigned_url(world["partner_app"])
        stubber.assert_no_pending_responses()
