"""wait_until_in_service and get_status: every status, against LocalSageMaker, in milliseconds."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from sagemaker_presign import (
    AccessDeniedError,
    InvalidNotebookInstanceNameError,
    InvalidParameterError,
    NotebookInstanceFailedError,
    NotebookInstanceNotFoundError,
    NotebookInstanceNotInServiceError,
    NotebookInstanceStatus,
    PresignClient,
    PresignError,
    ResourceLimitExceededError,
    ServiceError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from sagemaker_presign.testing import Fault, LocalSageMaker

from .support import NOTEBOOK, raw_client

S = NotebookInstanceStatus
POLL = timedelta(seconds=10)
# SageMaker's wording when a start loses the race with another actor's.
RACE = (
    "Status (Pending) not in ([Stopped]). Unable to transition to (Pending) for Notebook Instance"
)


class FakeClock:
    """A monotonic clock that only moves when the waiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def wait(
    client: PresignClient,
    clock: FakeClock,
    *,
    start: bool = False,
    timeout: timedelta = timedelta(minutes=20),
    seen: list[NotebookInstanceStatus] | None = None,
) -> NotebookInstanceStatus:
    return client.wait_until_in_service(
        NOTEBOOK,
        start=start,
        timeout=timeout,
        poll_interval=POLL,
        on_status=None if seen is None else seen.append,
        sleep=clock.sleep,
        clock=clock,
    )


def operations(sagemaker: LocalSageMaker) -> list[str]:
    return [request.operation for request in sagemaker.requests]


def test_in_service_returns_at_once(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    clock = FakeClock()
    seen: list[NotebookInstanceStatus] = []
    assert wait(client, clock, seen=seen) is S.IN_SERVICE
    assert operations(sagemaker) == ["DescribeNotebookInstance"]
    assert clock.sleeps == []
    assert seen == [S.IN_SERVICE]


@pytest.mark.parametrize(
    "status", ["Pending", "Updating", "PendingMaintenance", "InMaintenance", "Hibernating"]
)
def test_transitional_statuses_keep_polling(
    sagemaker: LocalSageMaker, client: PresignClient, status: str
) -> None:
    sagemaker.script_statuses(NOTEBOOK, [status, status, status, "InService"])
    clock = FakeClock()
    seen: list[NotebookInstanceStatus] = []
    assert wait(client, clock, seen=seen) is S.IN_SERVICE
    assert [str(s) for s in seen] == [status, "InService"], "one call per change"
    assert clock.sleeps == [10.0, 10.0, 10.0]
    assert operations(sagemaker) == ["DescribeNotebookInstance"] * 4


def test_stopped_without_start_says_how_to_start(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    with pytest.raises(NotebookInstanceNotInServiceError, match="start=True") as caught:
        wait(client, FakeClock())
    assert caught.value.status is S.STOPPED
    assert caught.value.notebook_instance_name == NOTEBOOK
    assert operations(sagemaker) == ["DescribeNotebookInstance"]


def test_stopped_with_start_starts_once_and_waits(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    clock = FakeClock()
    seen: list[NotebookInstanceStatus] = []
    assert wait(client, clock, start=True, seen=seen) is S.IN_SERVICE
    assert seen == [S.STOPPED, S.PENDING, S.IN_SERVICE]
    assert operations(sagemaker).count("StartNotebookInstance") == 1
    assert operations(sagemaker)[:2] == ["DescribeNotebookInstance", "StartNotebookInstance"]
    assert sagemaker.notebook_instance(NOTEBOOK).status == "InService"


def test_stopping_waits_for_stopped_then_starts(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    raw_client(sagemaker).stop_notebook_instance(NotebookInstanceName=NOTEBOOK)
    sagemaker.clear_requests()
    clock = FakeClock()
    seen: list[NotebookInstanceStatus] = []
    assert wait(client, clock, start=True, seen=seen) is S.IN_SERVICE
    assert seen == [S.STOPPING, S.STOPPED, S.PENDING, S.IN_SERVICE]
    assert operations(sagemaker).count("StartNotebookInstance") == 1


def test_stopping_without_start_ends_not_in_service(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Stopping", "Stopping", "Stopped"])
    with pytest.raises(NotebookInstanceNotInServiceError) as caught:
        wait(client, FakeClock())
    assert caught.value.status is S.STOPPED


def test_failed_carries_the_reason(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.fail_notebook_instance(NOTEBOOK, "Lifecycle configuration script failed")
    with pytest.raises(NotebookInstanceFailedError, match="Lifecycle configuration") as caught:
        wait(client, FakeClock(), start=True)
    assert caught.value.failure_reason == "Lifecycle configuration script failed"


def test_a_start_that_fails(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    instance = sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    instance.start_outcome = "Failed"
    instance.failure_reason = "ml.p4d.24xlarge capacity unavailable"
    seen: list[NotebookInstanceStatus] = []
    with pytest.raises(NotebookInstanceFailedError, match="capacity unavailable"):
        wait(client, FakeClock(), start=True, seen=seen)
    assert seen == [S.STOPPED, S.PENDING, S.FAILED]


def test_deleting_is_not_in_service(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Deleting"])
    with pytest.raises(NotebookInstanceNotInServiceError, match="being deleted") as caught:
        wait(client, FakeClock(), start=True)
    assert caught.value.status is S.DELETING


def test_timeout_reports_the_last_status(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Pending"])
    clock = FakeClock()
    with pytest.raises(WaitTimeoutError, match="within 0:00:25") as caught:
        wait(client, clock, timeout=timedelta(seconds=25))
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.last_status is S.PENDING
    # 10 + 10 + the 5 left; then one last describe at the deadline.
    assert clock.sleeps == [10.0, 10.0, 5.0]
    assert operations(sagemaker) == ["DescribeNotebookInstance"] * 4


def test_a_start_racing_another_actor_is_absorbed(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Stopped", "Pending", "InService"])
    # Between our describe and our start, someone else started it.
    sagemaker.fail_next(
        "ValidationException",
        message="Status (Pending) not in ([Stopped]). Unable to transition to (Pending)",
        operation="StartNotebookInstance",
    )
    assert wait(client, FakeClock(), start=True) is S.IN_SERVICE
    assert operations(sagemaker) == [
        "DescribeNotebookInstance",
        "StartNotebookInstance",
        "DescribeNotebookInstance",
        "DescribeNotebookInstance",
    ]


def test_resource_limit_on_start(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    sagemaker.fail_next(
        "ResourceLimitExceeded",
        message="The account-level service limit 'ml.t3.medium for notebook instance usage' is 2",
        operation="StartNotebookInstance",
    )
    with pytest.raises(ResourceLimitExceededError, match="quota") as caught:
        wait(client, FakeClock(), start=True)
    assert isinstance(caught.value, ServiceError)
    assert caught.value.code == "ResourceLimitExceeded"


def test_stopped_again_after_starting(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Stopped", "Pending", "Stopped"])
    sagemaker.fail_next("ValidationException", message=RACE, operation="StartNotebookInstance")
    with pytest.raises(NotebookInstanceNotInServiceError, match="stopped again"):
        wait(client, FakeClock(), start=True)
    assert operations(sagemaker).count("StartNotebookInstance") == 1


def test_still_stopped_right_after_the_start_is_not_a_second_start(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Stopped", "Stopped", "Pending", "InService"])
    sagemaker.fail_next("ValidationException", message=RACE, operation="StartNotebookInstance")
    assert wait(client, FakeClock(), start=True) is S.IN_SERVICE
    assert operations(sagemaker).count("StartNotebookInstance") == 1


def test_unknown_instance(client: PresignClient) -> None:
    with pytest.raises(NotebookInstanceNotFoundError):
        client.wait_until_in_service("no-such-nb", sleep=FakeClock().sleep)
    with pytest.raises(NotebookInstanceNotFoundError):
        client.get_status("no-such-nb")


def test_errors_of_describe_are_translated(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.fail_next("AccessDeniedException", operation="DescribeNotebookInstance")
    with pytest.raises(AccessDeniedError) as caught:
        client.get_status(NOTEBOOK)
    assert caught.value.notebook_instance_name == NOTEBOOK


def test_describe_without_a_status_is_unexpected(
    sagemaker: LocalSageMaker, client: PresignClient
) -> None:
    sagemaker.respond_next(b'{"NotebookInstanceName": "demo-nb"}')
    with pytest.raises(UnexpectedResponseError, match="no NotebookInstanceStatus"):
        client.get_status(NOTEBOOK)


def test_get_status(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    assert client.get_status(NOTEBOOK) is S.IN_SERVICE
    sagemaker.script_statuses(NOTEBOOK, ["Hibernating"])
    status = client.get_status(NOTEBOOK)
    assert isinstance(status, NotebookInstanceStatus)
    assert status == "Hibernating"
    assert str(status) == "Hibernating"
    assert not status.is_known
    assert status.is_transitional
    assert operations(sagemaker) == ["DescribeNotebookInstance"] * 2


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        (
            {"poll_interval": timedelta(0)},
            InvalidParameterError,
            "poll_interval must be more than 0",
        ),
        ({"poll_interval": -1}, InvalidParameterError, "poll_interval must be more than 0"),
        ({"timeout": timedelta(seconds=-1)}, InvalidParameterError, "timeout must be more than 0"),
        ({"timeout": 0}, InvalidParameterError, "timeout must be more than 0"),
        ({"timeout": float("nan")}, InvalidParameterError, "timeout must be a number of seconds"),
        ({"timeout": 10**400}, InvalidParameterError, "timeout must be at most 7 days"),
        ({"timeout": timedelta.max}, InvalidParameterError, "timeout must be at most 7 days"),
        ({"poll_interval": float("inf")}, InvalidParameterError, "at most 7 days"),
        ({"timeout": "30"}, TypeError, "timeout must be a number of seconds or a timedelta"),
        ({"timeout": True}, TypeError, "timeout must be a number of seconds or a timedelta"),
        ({"on_status": "print"}, TypeError, "on_status must be callable"),
        ({"start": "yes"}, TypeError, "start must be a bool"),
        ({"start": 1}, TypeError, "start must be a bool"),
    ],
)
def test_invalid_wait_arguments_send_nothing(
    sagemaker: LocalSageMaker,
    client: PresignClient,
    arguments: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error, match=message):
        client.wait_until_in_service(NOTEBOOK, **arguments)
    assert sagemaker.requests == []


def test_invalid_names_send_nothing(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    with pytest.raises(InvalidNotebookInstanceNameError):
        client.get_status("-bad-")
    with pytest.raises(InvalidNotebookInstanceNameError):
        client.wait_until_in_service("bad_name")
    assert sagemaker.requests == []


def test_seconds_are_accepted_as_numbers(sagemaker: LocalSageMaker, client: PresignClient) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Pending", "InService"])
    clock = FakeClock()
    status = client.wait_until_in_service(
        NOTEBOOK, timeout=600, poll_interval=2.5, sleep=clock.sleep, clock=clock
    )
    assert status is S.IN_SERVICE
    assert clock.sleeps == [2.5]


def test_real_sleep_and_time_based_transitions() -> None:
    with LocalSageMaker(transition_seconds=0.3) as sagemaker:
        sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
        seen: list[NotebookInstanceStatus] = []
        status = sagemaker.client().wait_until_in_service(
            NOTEBOOK, start=True, poll_interval=timedelta(seconds=0.05), on_status=seen.append
        )
    assert status is S.IN_SERVICE
    assert seen == [S.STOPPED, S.PENDING, S.IN_SERVICE]
    assert 4 <= sum(r.operation == "DescribeNotebookInstance" for r in sagemaker.requests) <= 12


def test_status_enum() -> None:
    assert [s.value for s in S] == [
        "Pending",
        "InService",
        "Stopping",
        "Stopped",
        "Failed",
        "Deleting",
        "Updating",
        "PendingMaintenance",
        "InMaintenance",
    ]
    assert S("InService") is S.IN_SERVICE
    assert S("Brand-New") is S("Brand-New"), "unknown statuses are stable members"
    assert S("Brand-New").name == "Brand-New"
    assert all(s.is_known for s in S)
    assert not S.IN_SERVICE.is_transitional
    assert S.PENDING.is_transitional
    with pytest.raises(ValueError, match="not a valid"):
        S("")


def test_new_errors_are_presign_errors() -> None:
    for cls in (NotebookInstanceNotInServiceError, NotebookInstanceFailedError, WaitTimeoutError):
        assert issubclass(cls, PresignError)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationException", "The subnet ID 'subnet-0abc' does not exist"),
        ("ValidationException", "RoleArn is not valid"),
        ("InsufficientCapacityError", "No capacity for ml.p3.2xlarge"),
    ],
)
def test_a_start_that_really_fails_raises_at_once(
    sagemaker: LocalSageMaker, client: PresignClient, code: str, message: str
) -> None:
    sagemaker.script_statuses(NOTEBOOK, ["Stopped"])
    sagemaker.fail_next(code, message=message, operation="StartNotebookInstance")
    clock = FakeClock()
    with pytest.raises(ServiceError, match=message) as caught:
        wait(client, clock, start=True)
    assert not isinstance(caught.value, WaitTimeoutError)
    assert caught.value.code == code
    assert operations(sagemaker) == ["DescribeNotebookInstance", "StartNotebookInstance"]
    assert clock.sleeps == []


def slow_client(sagemaker: LocalSageMaker) -> PresignClient:
    """botocore would wait 60 s for an answer, twice: minutes past any wait's timeout."""
    from botocore.config import Config

    config = Config(read_timeout=60, retries={"mode": "standard", "total_max_attempts": 2})
    return sagemaker.client(config=config)


@pytest.mark.parametrize("request_name", ["DescribeNotebookInstance", "StartNotebookInstance"])
def test_the_timeout_bounds_a_request_in_flight(
    sagemaker: LocalSageMaker, request_name: str
) -> None:
    sagemaker.add_notebook_instance(NOTEBOOK, status="Stopped")
    client = slow_client(sagemaker)
    sagemaker.queue_fault(Fault(operation=request_name, delay=30))
    began = time.monotonic()
    with pytest.raises(WaitTimeoutError, match=f"{request_name} was still unanswered") as caught:
        client.wait_until_in_service(NOTEBOOK, start=True, timeout=1, poll_interval=0.1)
    elapsed = time.monotonic() - began
    # Documented bound: timeout + min(timeout, 5 s). Far under the 30 s the server stalls.
    assert elapsed < 1 + 1 + 5, elapsed
    assert caught.value.notebook_instance_name == NOTEBOOK
