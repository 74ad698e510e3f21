"""The presigned URL is a credential: no repr, str, error message or log record shows its token."""

from __future__ import annotations

import logging
import pickle
from datetime import datetime, timezone

import pytest
import time_machine

from sagemaker_presign import PresignClient, PresignError
from sagemaker_presign._exceptions import ServiceError
from sagemaker_presign._redact import redact_url, scrub
from sagemaker_presign.testing import LocalSageMaker

from .support import NOTEBOOK


def token_of(url: str) -> str:
    token = url.partition("authToken=")[2]
    assert len(token) >= 32, "LocalSageMaker hands out long random tokens"
    return token


def test_repr_and_str_mask_the_token(client: PresignClient) -> None:
    result = client.create_presigned_url(NOTEBOOK)
    token = token_of(result.url)
    for text in (
        repr(result),
        str(result),
        f"{result}",
        f"{result!r}",
        repr([result]),
        repr({"r": result}),
    ):
        assert token not in text
        assert "authToken=***" in text
        assert f"https://{NOTEBOOK}.notebook.us-east-1.sagemaker.aws" in text
    assert token in result.url, "the URL itself is intact"


def test_stale_error_does_not_show_the_token(client: PresignClient) -> None:
    result = client.create_presigned_url(NOTEBOOK)
    with (
        time_machine.travel(datetime(2099, 1, 1, tzinfo=timezone.utc)),
        pytest.raises(PresignError) as caught,
    ):
        result.ensure_fresh()
    assert token_of(result.url) not in str(caught.value)
    assert token_of(result.url) not in repr(caught.value)


def test_package_log_records_never_hold_the_token(
    sagemaker: LocalSageMaker, client: PresignClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sagemaker_presign")
    result = client.create_presigned_url(NOTEBOOK)
    sagemaker.respond_next(
        b'{"AuthorizedUrl": "http://x.example?authToken=0123456789abcdefghijklmnop"}'
    )
    with pytest.raises(PresignError):
        client.create_presigned_url(NOTEBOOK)
    ours = [r for r in caplog.records if r.name.startswith("sagemaker_presign")]
    assert ours, "the package logs its calls"
    for record in ours:
        text = record.getMessage() + repr(record.args)
        assert token_of(result.url) not in text
        assert "0123456789abcdefghijklmnop" not in text


def test_service_messages_holding_a_token_are_scrubbed(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    leaked = "https://nb.notebook.us-east-1.sagemaker.aws?authToken=leakedleakedleakedleaked"
    sagemaker.fail_next("ValidationException", message=f"cannot reuse {leaked}")
    with pytest.raises(ServiceError) as caught:
        client.create_presigned_url(NOTEBOOK)
    assert "leakedleaked" not in str(caught.value)
    assert "authToken=***" in str(caught.value)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert "leakedleaked" not in str(copy)


def test_redaction_helpers() -> None:
    assert (
        redact_url("https://h.example/p?authToken=abc&x=1#frag")
        == "https://h.example/p?authToken=***&x=***#***"
    )
    assert redact_url("https://h.example/p") == "https://h.example/p"
    assert scrub("see ?authToken=abc-DEF_1 and X-Amz-Security-Token=zzz&y") == (
        "see ?authToken=*** and X-Amz-Security-Token=***&y"
    )


def test_local_sagemaker_does_not_print_the_urls_it_issued(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    token = token_of(client.create_presigned_url(NOTEBOOK).url)
    instance = sagemaker.notebook_instance(NOTEBOOK)
    assert token in instance.issued_urls[-1]
    assert token not in repr(instance)
    assert token not in repr(sagemaker)
