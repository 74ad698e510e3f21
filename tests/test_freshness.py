"""The result knows its deadline: fresh at 4:59, stale at 5:00, margins honoured."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sagemaker_presign import (
    URL_VALIDITY,
    PresignClient,
    PresignedNotebookUrl,
    PresignedUrlExpiredError,
    PresignError,
)
from sagemaker_presign._result import request_clock, stamped

from .support import NOTEBOOK

ISSUED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
TOKEN = "tOkEn-SeCrEt-1234567890"
URL = f"https://{NOTEBOOK}.notebook.us-east-1.sagemaker.aws?authToken={TOKEN}"


def make(**overrides: object) -> PresignedNotebookUrl:
    fields: dict[str, object] = {
        "url": URL,
        "notebook_instance_name": NOTEBOOK,
        "issued_at": ISSUED,
    }
    fields.update(overrides)
    return PresignedNotebookUrl(**fields)  # type: ignore[arg-type]


def at(offset: timedelta) -> time_machine.travel:
    return time_machine.travel(ISSUED + offset, tick=False)


def test_fresh_at_four_fifty_nine() -> None:
    result = make()
    with at(timedelta(minutes=4, seconds=59)):
        assert not result.is_stale
        assert result.time_remaining == timedelta(seconds=1)
        assert result.ensure_fresh() == URL


def test_stale_at_five_minutes() -> None:
    result = make()
    with at(URL_VALIDITY):
        assert result.is_stale
        assert result.time_remaining == timedelta(0)
        with pytest.raises(PresignedUrlExpiredError, match="expired"):
            result.ensure_fresh()


def test_time_remaining_is_never_negative() -> None:
    with at(timedelta(hours=3)):
        assert make().time_remaining == timedelta(0)


def test_expires_at_is_five_minutes_after_issue() -> None:
    assert make().expires_at == ISSUED + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("elapsed", "margin", "fresh"),
    [
        (timedelta(minutes=3), timedelta(minutes=1), True),
        (timedelta(minutes=3), timedelta(minutes=2), False),  # now + margin == expires_at
        (timedelta(minutes=3), timedelta(minutes=2) - timedelta(microseconds=1), True),
        (timedelta(0), URL_VALIDITY, False),
        (timedelta(0), timedelta(0), True),
        (timedelta(minutes=4, seconds=59), timedelta(seconds=1), False),
    ],
)
def test_margins(elapsed: timedelta, margin: timedelta, fresh: bool) -> None:
    result = make()
    with at(elapsed):
        if fresh:
            assert result.ensure_fresh(margin) == URL
        else:
            with pytest.raises(PresignedUrlExpiredError) as caught:
                result.ensure_fresh(margin)
            assert isinstance(caught.value, PresignError)
            assert caught.value.notebook_instance_name == NOTEBOOK
            assert TOKEN not in str(caught.value)


def test_negative_margin_is_refused() -> None:
    with pytest.raises(ValueError, match="margin"):
        make().ensure_fresh(timedelta(seconds=-1))


def test_a_real_call_is_fresh_then_stale(client: PresignClient) -> None:
    result = client.create_presigned_url(NOTEBOOK)
    stale_now = result.is_stale
    with time_machine.travel(result.issued_at + URL_VALIDITY, tick=False):
        stale_later = result.is_stale
        assert (stale_now, stale_later) == (False, True)
        with pytest.raises(PresignedUrlExpiredError):
            result.ensure_fresh()


def test_issued_at_must_be_timezone_aware() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make(issued_at=datetime(2026, 1, 1))


def test_issued_at_is_normalised_to_utc() -> None:
    local = ISSUED.astimezone(ZoneInfo("Asia/Tokyo"))
    result = make(issued_at=local)
    assert result.issued_at.tzinfo is timezone.utc
    assert result.issued_at == ISSUED
    assert result == make()


def test_immutable_equal_and_hashable() -> None:
    result = make(session_duration=timedelta(hours=1))
    with pytest.raises(AttributeError):
        result.url = "https://elsewhere"  # type: ignore[misc]
    assert result == make(session_duration=timedelta(hours=1))
    assert result != make()
    assert len({result, make(session_duration=timedelta(hours=1)), make()}) == 2


def test_fields_in_order_and_keyword_constructible() -> None:
    from dataclasses import fields

    assert [f.name for f in fields(PresignedNotebookUrl)] == [
        "issued_at",
        "valid_for",
        "session_duration",
        "_secret",
        "_sent_monotonic",
        "notebook_instance_name",
        "landing_path",
    ]
    assert make().session_duration is None


def issued_ago(age: timedelta) -> PresignedNotebookUrl:
    """A result as the client makes it, for a request sent *age* ago on both clocks."""
    wall, monotonic = request_clock()
    return stamped(PresignedNotebookUrl(URL, NOTEBOOK, wall - age), monotonic - age.total_seconds())


def test_a_clock_stepped_back_does_not_make_a_stale_url_fresh() -> None:
    result = issued_ago(timedelta(minutes=6))
    assert result.is_stale
    with time_machine.travel(datetime.now(timezone.utc) - timedelta(minutes=10), tick=False):
        assert result.is_stale
        assert result.time_remaining == timedelta(0)
        with pytest.raises(PresignedUrlExpiredError):
            result.ensure_fresh()


def test_time_remaining_never_exceeds_the_validity() -> None:
    result = issued_ago(timedelta(seconds=1))
    with time_machine.travel(datetime.now(timezone.utc) - timedelta(minutes=10), tick=False):
        assert timedelta(minutes=4, seconds=58) <= result.time_remaining <= URL_VALIDITY
    # Built by hand (no monotonic reading): the wall clock alone, capped all the same.
    by_hand = make()
    with at(-timedelta(minutes=10)):
        assert by_hand.time_remaining == URL_VALIDITY
        assert not by_hand.is_stale


def test_an_unpickled_result_falls_back_on_the_wall_clock() -> None:
    import pickle

    result = issued_ago(timedelta(minutes=6))
    copy = pickle.loads(pickle.dumps(result))
    assert copy == result
    assert copy.url == result.url
    with time_machine.travel(datetime.now(timezone.utc) - timedelta(minutes=10), tick=False):
        assert result.is_stale, "this process measured its age on the monotonic clock"
        assert not copy.is_stale, "another process can only read the wall clock"
        assert copy.time_remaining == URL_VALIDITY


@pytest.mark.parametrize(
    "options",
    [{}, {"session_duration": 3600, "landing_path": "/lab/tree/a b.ipynb"}],
    ids=["plain", "session-and-landing"],
)
def test_the_presign_paths_result_is_the_constructors(
    client: PresignClient, options: dict[str, Any]
) -> None:
    # The presign path sets its result's fields itself, skipping __init__: it must set
    # exactly what the constructor sets, in the same order.
    result = client.create_presigned_url(NOTEBOOK, **options)
    by_hand = PresignedNotebookUrl(
        result.url, NOTEBOOK, result.issued_at, result.session_duration, result.landing_path
    )
    assert result == by_hand
    assert list(vars(result)) == list(vars(by_hand))
    assert repr(result) == repr(by_hand)
    assert result.issued_at.tzinfo is timezone.utc
