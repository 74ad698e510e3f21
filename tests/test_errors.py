"""Every branch of the error tree, from real HTTP answers of LocalSageMaker through botocore."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ParamValidationError,
    SSOTokenLoadError,
)

from sagemaker_presign import (
    AccessDeniedError,
    ConfigurationError,
    CredentialsError,
    CredentialsRejectedError,
    InvalidParameterError,
    NetworkError,
    NotebookInstanceNotFoundError,
    PresignClient,
    PresignError,
    ServiceError,
    ServiceUnavailableError,
    ThrottlingError,
    UnexpectedResponseError,
)
from sagemaker_presign._exceptions import translate
from sagemaker_presign.testing import LocalSageMaker

from .support import NOTEBOOK

OPERATION = "CreatePresignedNotebookInstanceUrl"


def assert_translated(error: PresignError, *, code: str | None, status: int | None) -> None:
    """The common contract of an error translated from botocore."""
    assert isinstance(error.__cause__, (BotoCoreError, ClientError))
    assert error.code == code
    assert error.http_status == status
    assert error.notebook_instance_name == NOTEBOOK
    if code is not None:
        assert error.request_id  # LocalSageMaker always sends x-amzn-RequestId
        assert error.request_id in str(error)


def test_unknown_instance_is_not_found(client: PresignClient) -> None:
    with pytest.raises(NotebookInstanceNotFoundError) as caught:
        client.create_presigned_url("no-such-nb")
    error = caught.value
    assert isinstance(error, ServiceError)
    assert error.code == "ValidationException"
    assert error.notebook_instance_name == "no-such-nb"
    assert "'no-such-nb' does not exist" in str(error)


@pytest.mark.parametrize(
    "message", ["RecordNotFound", "Notebook instance arn:aws:...:demo-nb does not exist"]
)
def test_not_found_messages(sagemaker: LocalSageMaker, client: PresignClient, message: str) -> None:
    sagemaker.fail_next("ValidationException", message=message)
    with pytest.raises(NotebookInstanceNotFoundError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert_translated(caught.value, code="ValidationException", status=400)


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("AccessDeniedException", 400, AccessDeniedError),
        ("AccessDenied", 403, AccessDeniedError),
        ("NotAuthorized", 400, AccessDeniedError),
        ("UnrecognizedClientException", 400, CredentialsRejectedError),
        ("InvalidClientTokenId", 403, CredentialsRejectedError),
        ("ExpiredToken", 400, CredentialsRejectedError),
        ("ExpiredTokenException", 400, CredentialsRejectedError),
        ("InvalidSignatureException", 400, CredentialsRejectedError),
        ("SignatureDoesNotMatch", 403, CredentialsRejectedError),
        ("IncompleteSignature", 400, CredentialsRejectedError),
        ("MissingAuthenticationToken", 403, CredentialsRejectedError),
        ("MissingAuthenticationTokenException", 403, CredentialsRejectedError),
        ("RequestExpired", 400, CredentialsRejectedError),
        ("ValidationException", 400, ServiceError),
        ("ValidationError", 400, ServiceError),
        ("OptInRequired", 403, ServiceError),
        ("InvalidAction", 400, ServiceError),
        ("SomethingNew", 409, ServiceError),
    ],
)
def test_refusals_map_by_code(
    sagemaker: LocalSageMaker,
    client: PresignClient,
    code: str,
    status: int,
    expected: type[PresignError],
) -> None:
    sagemaker.fail_next(code, status=status, message="the service said no")
    with pytest.raises(expected) as caught:
        client.create_presigned_url(NOTEBOOK)
    error = caught.value
    assert type(error) is expected
    assert_translated(error, code=code, status=status)
    assert isinstance(error, ServiceError), "every answer the service refused is a ServiceError"
    assert "the service said no" in str(error)
    assert len(sagemaker.requests) == 1, "refusals are not retried"


def test_access_denied_points_at_source_ip_policies(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.fail_next(
        "AccessDeniedException", message="User: arn:aws:iam::1:user/x is not authorized"
    )
    with pytest.raises(AccessDeniedError, match=r"aws:SourceIp"):
        client.create_presigned_url(NOTEBOOK)


def test_credentials_rejected_is_both_credentials_and_service_error() -> None:
    assert issubclass(CredentialsRejectedError, CredentialsError)
    assert issubclass(CredentialsRejectedError, ServiceError)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("ThrottlingException", 400),
        ("Throttling", 400),
        ("TooManyRequestsException", 400),
        ("Busy", 429),
    ],
)
def test_throttling_once_retries_are_spent(
    sagemaker: LocalSageMaker, client: PresignClient, code: str, status: int
) -> None:
    sagemaker.fail_next(code, status=status, message="Rate exceeded", times=3)
    with pytest.raises(ThrottlingError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert_translated(caught.value, code=code, status=status)
    # botocore retries a 429 with a code it does not know only since 1.44 (its
    # ThrottlingStatusCodeChecker); before that, one attempt, and still a ThrottlingError.
    retried = code != "Busy" or botocore_retries_unknown_429()
    assert len(sagemaker.requests) == (3 if retried else 1), "botocore's attempts were made"


def botocore_retries_unknown_429() -> bool:
    """Whether the installed botocore's standard retry mode retries a 429 of any code."""
    from botocore.retries import standard

    return hasattr(standard, "ThrottlingStatusCodeChecker")


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("InternalFailure", 500),
        ("InternalServerError", 500),
        ("ServiceUnavailable", 503),
        ("SomethingBroke", 502),
        ("InternalFailure", 400),
    ],
)
def test_service_failures_are_unavailable(
    sagemaker: LocalSageMaker, client: PresignClient, code: str, status: int
) -> None:
    sagemaker.fail_next(code, status=status, message="oops", times=3)
    with pytest.raises(ServiceUnavailableError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert_translated(caught.value, code=code, status=status)


@pytest.mark.parametrize(
    ("code", "status"), [("ThrottlingException", 400), ("InternalFailure", 500), ("X", 503)]
)
def test_retries_that_then_succeed(
    sagemaker: LocalSageMaker, client: PresignClient, code: str, status: int
) -> None:
    sagemaker.fail_next(code, status=status, times=2)
    result = client.create_presigned_url(NOTEBOOK)
    assert result.url == sagemaker.notebook_instance(NOTEBOOK).issued_urls[-1]
    assert len(sagemaker.requests) == 3


def test_unsigned_requests_are_refused_as_credentials(sagemaker: LocalSageMaker) -> None:
    client = PresignClient(
        region_name="us-east-1",
        endpoint_url=sagemaker.endpoint_url,
        config=Config(signature_version=UNSIGNED),
    )
    with pytest.raises(CredentialsRejectedError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert_translated(caught.value, code="MissingAuthenticationTokenException", status=403)


def test_no_credentials_is_detected_before_sending(sagemaker: LocalSageMaker) -> None:
    client = PresignClient(region_name="us-east-1", endpoint_url=sagemaker.endpoint_url)
    with pytest.raises(CredentialsError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert not isinstance(caught.value, ServiceError)
    assert_translated(caught.value, code=None, status=None)
    assert sagemaker.requests == []


def test_read_timeout_is_a_network_error(sagemaker: LocalSageMaker) -> None:
    sagemaker.delay_next(1.0, times=2)
    config = Config(read_timeout=0.2, retries={"total_max_attempts": 2, "mode": "standard"})
    with sagemaker.client(config=config) as client, pytest.raises(NetworkError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert_translated(caught.value, code=None, status=None)
    assert "timeout" in str(caught.value).lower()


def test_dropped_connections_are_a_network_error(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.drop_next(times=3)
    with pytest.raises(NetworkError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert_translated(caught.value, code=None, status=None)


def test_a_dropped_connection_is_retried(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.drop_next()
    assert client.create_presigned_url(NOTEBOOK).notebook_instance_name == NOTEBOOK
    assert len(sagemaker.requests) == 2


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # nothing listens there once the probe is closed


def test_a_closed_port_is_a_network_error() -> None:
    config = Config(connect_timeout=1, retries={"total_max_attempts": 1})
    client = PresignClient(
        session=LocalSageMaker().boto3_session(),
        endpoint_url=f"http://127.0.0.1:{closed_port()}",
        config=config,
    )
    with pytest.raises(NetworkError, match="could not talk to the SageMaker endpoint") as caught:
        client.create_presigned_url(NOTEBOOK)
    assert_translated(caught.value, code=None, status=None)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"{}", "has no AuthorizedUrl"),
        (b'{"AuthorizedUrl": ""}', "empty AuthorizedUrl"),
        (b'{"AuthorizedUrl": "   "}', "empty AuthorizedUrl"),
        (
            b'{"AuthorizedUrl": "http://demo-nb.notebook.x.sagemaker.aws?authToken=abc"}',
            "scheme is 'http'",
        ),
        (b'{"AuthorizedUrl": "demo-nb.notebook.x.sagemaker.aws"}', "scheme is ''"),
        (b'{"AuthorizedUrl": "https://?authToken=abc"}', "without a host"),
        (b'{"AuthorizedUrl": "https://[::1?authToken=abc"}', "not a URL"),
        (b'{"AuthorizedUrl": 42}', "not a string"),
        (b"this is not json", "has no AuthorizedUrl"),
        (b"", "has no AuthorizedUrl"),
        (b"[1, 2]", "could not be read: botocore failed with AttributeError"),
        (b'"just a string"', "could not be read: botocore failed with AttributeError"),
    ],
)
def test_malformed_success_is_unexpected(
    sagemaker: LocalSageMaker, client: PresignClient, body: bytes, problem: str
) -> None:
    sagemaker.respond_next(body)
    with pytest.raises(UnexpectedResponseError, match=problem) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert caught.value.notebook_instance_name == NOTEBOOK
    assert "abc" not in str(caught.value)
    assert len(sagemaker.requests) == 1


def test_no_region_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="region") as caught:
        PresignClient()
    assert isinstance(caught.value.__cause__, BotoCoreError)


def test_unknown_profile_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="no-such-profile"):
        PresignClient(profile_name="no-such-profile", region_name="us-east-1")


def test_unknown_profile_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "missing-from-env")
    with pytest.raises(ConfigurationError, match="missing-from-env"):
        PresignClient(region_name="us-east-1")


@pytest.mark.parametrize("endpoint_url", ["not a url", "ftp//nowhere", "http://"])
def test_bad_endpoint_url_is_a_configuration_error(endpoint_url: str) -> None:
    with pytest.raises(ConfigurationError, match="endpoint"):
        PresignClient(region_name="us-east-1", endpoint_url=endpoint_url)


def test_bad_region_name_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        PresignClient(region_name="not a region!")


# The table itself, for botocore errors LocalSageMaker cannot provoke.
@pytest.mark.parametrize(
    ("exception", "expected"),
    [
        (ParamValidationError(report="Invalid type for parameter X"), InvalidParameterError),
        (SSOTokenLoadError(error_msg="token expired"), CredentialsError),
        (BotoCoreError(), PresignError),
    ],
)
def test_table_entries_without_a_wire_form(
    exception: Exception, expected: type[PresignError]
) -> None:
    error = translate(exception, notebook_instance_name=NOTEBOOK)
    assert type(error) is expected
    assert error.notebook_instance_name == NOTEBOOK


def test_errors_pickle_with_their_attributes(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    import pickle

    sagemaker.fail_next("AccessDeniedException", message="nope")
    with pytest.raises(AccessDeniedError) as caught:
        client.create_presigned_url(NOTEBOOK)
    copy: Any = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is AccessDeniedError
    assert (
        copy.code,
        copy.request_id,
        copy.http_status,
        copy.notebook_instance_name,
        str(copy),
    ) == (
        "AccessDeniedException",
        caught.value.request_id,
        400,
        NOTEBOOK,
        str(caught.value),
    )
