"""Secrets stay out of botocore's DEBUG logs, tracebacks (causes included) and our helpers."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import pickle
import threading
import traceback
from datetime import timedelta

import boto3
import pytest
from botocore.exceptions import ClientError

from sagemaker_presign import (
    AsyncPresignClient,
    NetworkError,
    PresignClient,
    PresignError,
    ServiceError,
)
from sagemaker_presign._exceptions import MAX_SERVICE_MESSAGE
from sagemaker_presign._redact import escape_controls, redact_url, scrub
from sagemaker_presign.testing import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, LocalSageMaker

from .support import FAST_CONFIG, NOTEBOOK, new_client

SESSION_TOKEN = "FQoGZXIvYXdzSESSIONTOKENsessiontoken0123456789"


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return caplog.text + "".join(record.getMessage() for record in caplog.records)


def secrets_of(sagemaker: LocalSageMaker, url: str) -> list[str]:
    """The URL's token, the session token and every request signature seen so far."""
    signatures = [
        r.headers["authorization"].rpartition("Signature=")[2] for r in sagemaker.requests
    ]
    assert all(len(s) == 64 for s in signatures), "SigV4 signatures are 64 hex digits"
    return [url.partition("authToken=")[2], SESSION_TOKEN, *signatures]


@pytest.fixture
def token_session() -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=DUMMY_ACCESS_KEY_ID,
        aws_secret_access_key=DUMMY_SECRET_ACCESS_KEY,
        aws_session_token=SESSION_TOKEN,
        region_name="us-east-1",
    )


@pytest.fixture
def debug_everything(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Like ``logging.basicConfig(level=logging.DEBUG)``: every record reaches a handler."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.mark.parametrize("built", [True, False], ids=["client-we-build", "client-given"])
def test_botocore_debug_logs_hold_no_secret(
    sagemaker: LocalSageMaker,
    token_session: boto3.Session,
    debug_everything: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    built: bool,
) -> None:
    if built:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY)
        monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
        client = PresignClient(region_name="us-east-1", endpoint_url=sagemaker.endpoint_url)
    else:
        client = PresignClient(new_client(token_session, endpoint_url=sagemaker.endpoint_url))
    url = client.create_presigned_url(NOTEBOOK).url
    client.wait_until_in_service(NOTEBOOK)
    text = everything_logged(debug_everything)
    assert "Response body" in text, "botocore did log the response"
    assert "authToken=***" in text
    for secret in secrets_of(sagemaker, url):
        assert secret not in text


def test_set_stream_logger_output_holds_no_secret(
    sagemaker: LocalSageMaker, token_session: boto3.Session, capsys: pytest.CaptureFixture[str]
) -> None:
    boto3.set_stream_logger("")  # the recipe in boto3's docs, onto stderr
    root = logging.getLogger()
    added = root.handlers[-1]
    try:
        client = PresignClient(new_client(token_session, endpoint_url=sagemaker.endpoint_url))
        url = client.create_presigned_url(NOTEBOOK).url
    finally:
        root.removeHandler(added)
        root.setLevel(logging.WARNING)
    logged = capsys.readouterr().err
    assert "Response body" in logged
    for secret in secrets_of(sagemaker, url):
        assert secret not in logged


def test_the_applications_own_botocore_calls_are_left_alone(
    sagemaker: LocalSageMaker, token_session: boto3.Session, caplog: pytest.LogCaptureFixture
) -> None:
    raw = new_client(token_session, endpoint_url=sagemaker.endpoint_url)
    PresignClient(raw).create_presigned_url(NOTEBOOK)  # the filter is in place now
    caplog.set_level(logging.DEBUG)
    url = raw.create_presigned_notebook_instance_url(NotebookInstanceName=NOTEBOOK)["AuthorizedUrl"]
    # Not our call: redacting the application's own logs is not ours to decide.
    assert url.partition("authToken=")[2] in everything_logged(caplog)


def test_service_message_is_capped_and_scrubbed_along_the_whole_chain(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    secret = "leakedTOKENvalue0123456789"
    long_tail = "x" * 5000
    sagemaker.fail_next(
        "ValidationException",
        message=f"cannot reuse https://h.example?authToken={secret} {long_tail}",
    )
    with pytest.raises(ServiceError) as caught:
        client.create_presigned_url(NOTEBOOK)
    error = caught.value
    shown = "".join(traceback.format_exception(error))
    assert secret not in shown
    assert secret not in repr(error.__cause__) + repr(error.__context__)
    assert len(str(error)) < MAX_SERVICE_MESSAGE + 500
    assert "more characters cut" in str(error)
    cause = error.__cause__
    assert isinstance(cause, ClientError)
    response = cause.response
    assert secret not in json.dumps(response, default=str)
    # What is kept stays readable, the whole message included.
    assert response.get("Error", {}).get("Code") == "ValidationException"
    assert response.get("Error", {}).get("Message", "").endswith(long_tail)
    assert response.get("ResponseMetadata", {}).get("RequestId") == error.request_id
    assert secret not in str(pickle.loads(pickle.dumps(error)))


def test_an_endpoint_password_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY)
    client = PresignClient(
        region_name="us-east-1",
        endpoint_url="http://user:pa55w0rd@127.0.0.1:9",  # the discard port: refused
        config=FAST_CONFIG,
    )
    assert "pa55w0rd" not in repr(client)
    with pytest.raises(NetworkError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert "pa55w0rd" not in "".join(traceback.format_exception(caught.value))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see ?authToken=abc-DEF_1 and X-Amz-Security-Token=zzz&y", None),
        ("authToken%3Dsecret123", "authToken%3D***"),
        ('{"authToken": "secret123"}', '{"authToken": "***"}'),
        ("{'authToken': 'secret123'}", "{'authToken': '***'}"),
        ("authToken='secret123'", "authToken='***'"),
        ("authToken: secret123", "authToken: ***"),
        ("TOKEN=secret123 and Token=secret123", "TOKEN=*** and Token=***"),
        ("X-Amz-Signature=abcdef0123", "X-Amz-Signature=***"),
        ("Credential=AKID/x, Signature=abcdef0123", "Credential=AKID/x, Signature=***"),
        ("Signature:\nabcdef0123", "Signature:\n***"),
        ("'X-Amz-Security-Token': b'FQoGsecret'", "'X-Amz-Security-Token': b'***'"),
        ("x-amz-security-token:FQoGsecret\nhost:h", "x-amz-security-token:***\nhost:h"),
        ("http://user:pa55@host/", "http://user:***@host/"),
        ("Missing Authentication Token", "Missing Authentication Token"),
        ("The security token included is invalid.", "The security token included is invalid."),
    ],
)
def test_scrub_catches_every_encoding(text: str, expected: str | None) -> None:
    if expected is None:
        expected = "see ?authToken=*** and X-Amz-Security-Token=***&y"
    assert scrub(text) == expected


@pytest.mark.timeout(30)  # a bound on a hang, not a timing: linear takes ~0.1 s here
@pytest.mark.parametrize(
    "unit", ["a", "ab-c.d", "token", "token=", "Signature ", "://a:", "<td>x y</td>", "=:"]
)
def test_scrub_is_linear_on_a_megabyte(unit: str) -> None:
    # The old pattern took 21 s on 80 KB of word characters: a megabyte would take an hour.
    text = unit * (1_000_000 // len(unit))
    scrubbed = scrub(text)
    assert scrub(scrubbed) == scrubbed, "scrubbing what was scrubbed changes nothing"


def test_escape_controls() -> None:
    assert escape_controls("a\x1b[31mb\r\nc\u202ed\x07") == "a\\x1b[31mb  c\\u202ed\\x07"


def test_redact_url_hides_user_info() -> None:
    assert redact_url("https://u:p@h.example/p?authToken=abc&x=1#f") == (
        "https://***@h.example/p?authToken=***&x=***#***"
    )


def test_asdict_and_vars_show_the_url_masked(client: PresignClient) -> None:
    result = client.create_presigned_url(NOTEBOOK)
    token = result.url.partition("authToken=")[2]
    for shown in (
        json.dumps(dataclasses.asdict(result), default=str),
        repr(vars(result)),
        str(vars(result)),
        repr(dataclasses.astuple(result)),
    ):
        assert token not in shown
        assert "authToken=***" in shown
    assert pickle.loads(pickle.dumps(result)).url == result.url


def test_every_error_message_is_one_clean_line(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.fail_next("ValidationException", message="bad\x1b[2J\r\nsecond line")
    with pytest.raises(PresignError) as caught:
        client.create_presigned_url(NOTEBOOK)
    message = str(caught.value)
    assert "\x1b" not in message
    assert "\n" not in message
    assert "\\x1b[2J" in message


def test_the_async_clients_calls_are_redacted_in_its_worker_threads(
    sagemaker: LocalSageMaker, debug_everything: pytest.LogCaptureFixture
) -> None:
    async def presign() -> str:
        async with AsyncPresignClient.from_sync(sagemaker.client(config=FAST_CONFIG)) as aclient:
            return (await aclient.create_presigned_url(NOTEBOOK)).url

    url = asyncio.run(presign())
    text = everything_logged(debug_everything)
    assert "Response body" in text, "botocore did log the response, in a worker thread"
    threads = {record.threadName or "" for record in debug_everything.records}
    assert any(name.startswith("sagemaker-presign") for name in threads)
    for secret in secrets_of(sagemaker, url):
        assert secret not in text


def test_only_the_thread_inside_our_call_is_redacted(
    token_session: boto3.Session, caplog: pytest.LogCaptureFixture
) -> None:
    # Each request takes 0.3 s, so the application's own call, in another thread, is in
    # flight while ours is: its records are left alone, ours are cleaned.
    with LocalSageMaker(latency=0.3) as sagemaker:
        sagemaker.add_notebook_instance(NOTEBOOK)
        raw = new_client(token_session, endpoint_url=sagemaker.endpoint_url)
        ours = PresignClient(new_client(token_session, endpoint_url=sagemaker.endpoint_url))
        ours.create_presigned_url(NOTEBOOK)  # the filter is in place now
        caplog.set_level(logging.DEBUG)
        theirs: list[str] = []
        thread = threading.Thread(
            target=lambda: theirs.append(
                raw.create_presigned_notebook_instance_url(NotebookInstanceName=NOTEBOOK)[
                    "AuthorizedUrl"
                ]
            )
        )
        thread.start()
        url = ours.create_presigned_url(NOTEBOOK).url
        thread.join()
    overlap = sagemaker.requests[-2:]
    assert abs(overlap[0].received_at - overlap[1].received_at) < timedelta(seconds=0.3)
    text = everything_logged(caplog)
    assert theirs[0].partition("authToken=")[2] in text
    assert url.partition("authToken=")[2] not in text
