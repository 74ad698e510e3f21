"""Client-side checks: the service's rules, exactly, and nothing sent when they are broken."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sagemaker_presign import (
    InvalidNotebookInstanceNameError,
    InvalidParameterError,
    InvalidSessionDurationError,
    PresignClient,
    PresignError,
    create_presigned_url,
    validate_notebook_instance_name,
    validate_session_duration,
)
from sagemaker_presign.testing import LocalSageMaker

from .support import raw_client

# The reference's pattern and length, written out independently of the implementation.
SERVICE_PATTERN = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9])*")


def service_accepts(name: str) -> bool:
    return len(name) <= 63 and SERVICE_PATTERN.fullmatch(name) is not None


valid_names = st.from_regex(SERVICE_PATTERN, fullmatch=True).filter(lambda n: len(n) <= 63)
name_alphabet = st.sampled_from("aZ09-_. é\u0661\n")


@given(valid_names)
def test_every_name_the_pattern_allows_is_returned_unchanged(name: str) -> None:
    assert validate_notebook_instance_name(name) is name


@given(st.one_of(st.text(), st.text(alphabet=name_alphabet, max_size=70)))
def test_validation_agrees_with_the_service_pattern(name: str) -> None:
    if service_accepts(name):
        assert validate_notebook_instance_name(name) == name
    else:
        with pytest.raises(InvalidNotebookInstanceNameError):
            validate_notebook_instance_name(name)


def test_validation_agrees_with_the_service_pattern_on_every_short_name() -> None:
    # Exhaustive over a small alphabet (letters, a digit, hyphens, a foreign character) up to
    # seven characters: the implementation's faster pattern accepts exactly the service's names.
    for size in range(8):
        for name in map("".join, itertools.product("aZ0-_", repeat=size)):
            try:
                accepted = validate_notebook_instance_name(name) == name
            except InvalidNotebookInstanceNameError:
                accepted = False
            assert accepted == service_accepts(name), name


@pytest.mark.parametrize(
    "name",
    ["a", "A", "0", "a-b", "a--b", "a" * 63, "My-Notebook-01", "9-9", "a" + "-" * 61 + "b"],
)
def test_valid_names(name: str) -> None:
    assert validate_notebook_instance_name(name) == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("", "must not be empty"),
        ("a" * 64, "at most 63 characters"),
        ("x" * 1000, "at most 63 characters"),
        ("-bad-", "start and end with a letter or digit"),
        ("-a", "start and end with a letter or digit"),
        ("a-", "start and end with a letter or digit"),
        ("-", "start and end with a letter or digit"),
        ("a_b", "only ASCII letters, digits and hyphens"),
        ("a.b", "only ASCII letters, digits and hyphens"),
        ("a b", "only ASCII letters, digits and hyphens"),
        ("caf\u00e9", "only ASCII letters, digits and hyphens"),
        ("\u0661\u0662", "only ASCII letters, digits and hyphens"),  # Arabic-Indic digits
        ("a\n", "only ASCII letters, digits and hyphens"),
    ],
)
def test_invalid_names_name_the_broken_rule(name: str, rule: str) -> None:
    with pytest.raises(InvalidNotebookInstanceNameError, match=rule) as caught:
        validate_notebook_instance_name(name)
    assert isinstance(caught.value, InvalidParameterError)
    assert isinstance(caught.value, ValueError)
    assert caught.value.notebook_instance_name == name


@pytest.mark.parametrize("value", [None, 42, b"nb", ["nb"]])
def test_non_str_name_is_a_type_error(value: Any) -> None:
    with pytest.raises(TypeError, match="must be a str"):
        validate_notebook_instance_name(value)


@pytest.mark.parametrize(
    ("duration", "seconds"),
    [
        (None, None),
        (1800, 1800),
        (43200, 43200),
        (3600, 3600),
        (timedelta(minutes=30), 1800),
        (timedelta(hours=12), 43200),
        (timedelta(hours=1, seconds=1), 3601),
    ],
)
def test_valid_durations(duration: int | timedelta | None, seconds: int | None) -> None:
    result = validate_session_duration(duration)
    assert result == seconds
    assert result is None or type(result) is int


@pytest.mark.parametrize(
    ("duration", "match"),
    [
        (1799, "from 1800 s"),
        (43201, "from 1800 s"),
        (0, "from 1800 s"),
        (-3600, "from 1800 s"),
        (timedelta(minutes=29, seconds=59), "from 1800 s"),
        (timedelta(hours=12, seconds=1), "from 1800 s"),
        (timedelta(days=-1), "from 1800 s"),
        (timedelta(hours=1, microseconds=1), "whole seconds"),
        (timedelta(seconds=3600.5), "whole seconds"),
    ],
)
def test_invalid_durations_name_the_rule(duration: int | timedelta, match: str) -> None:
    with pytest.raises(InvalidSessionDurationError, match=match):
        validate_session_duration(duration)


@pytest.mark.parametrize("value", [True, False, 3600.0, "3600", b"3600"])
def test_bool_float_and_str_durations_are_type_errors(value: Any) -> None:
    with pytest.raises(TypeError, match="int number of seconds or a timedelta"):
        validate_session_duration(value)


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_integer_durations_follow_the_range(seconds: int) -> None:
    if 1800 <= seconds <= 43200:
        assert validate_session_duration(seconds) == seconds
    else:
        with pytest.raises(InvalidSessionDurationError):
            validate_session_duration(seconds)


BAD_CALLS: list[tuple[Any, Any, type[Exception]]] = [
    ("", None, InvalidNotebookInstanceNameError),
    ("-bad-", None, InvalidNotebookInstanceNameError),
    ("a" * 64, None, InvalidNotebookInstanceNameError),
    ("demo-nb", 43201, InvalidSessionDurationError),
    ("demo-nb", 1799, InvalidSessionDurationError),
    ("demo-nb", True, TypeError),
    ("demo-nb", 3600.0, TypeError),
    (123, None, TypeError),
]


@pytest.mark.parametrize(("name", "duration", "error"), BAD_CALLS)
def test_invalid_input_sends_nothing(
    sagemaker: LocalSageMaker,
    client: PresignClient,
    name: Any,
    duration: Any,
    error: type[Exception],
) -> None:
    with pytest.raises(error):
        client.create_presigned_url(name, session_duration=duration)
    with pytest.raises(error):
        create_presigned_url(name, session_duration=duration, client=client)
    assert sagemaker.requests == []


def test_plain_boto3_would_have_sent_them(sagemaker: LocalSageMaker) -> None:
    """Why the checks exist: botocore lets these through to the service."""
    raw = raw_client(sagemaker)
    for name, duration in [("-bad-", None), ("a" * 64, None), ("demo-nb", 43201)]:
        params: dict[str, Any] = {"NotebookInstanceName": name}
        if duration is not None:
            params["SessionExpirationDurationInSeconds"] = duration
        with pytest.raises(Exception, match="ValidationException"):
            raw.create_presigned_notebook_instance_url(**params)
    assert len(sagemaker.requests) == 3


def test_invalid_input_errors_are_presign_errors() -> None:
    with pytest.raises(PresignError):
        validate_session_duration(99999)
