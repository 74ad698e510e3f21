"""sagemaker-presign: a typed, checked client for SageMaker's CreatePresignedNotebookInstanceUrl.

Importing this package does not import boto3 or botocore: they load when the first client
is built, so a script that fails validation, or only prints ``--help``, never pays for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._client import PresignClient
from ._constants import (
    DEFAULT_SESSION_DURATION,
    MAX_SESSION_DURATION,
    MIN_SESSION_DURATION,
    URL_VALIDITY,
)
from ._exceptions import (
    AccessDeniedError,
    ConfigurationError,
    CredentialsError,
    CredentialsRejectedError,
    InvalidNotebookInstanceNameError,
    InvalidParameterError,
    InvalidSessionDurationError,
    NetworkError,
    NotebookInstanceFailedError,
    NotebookInstanceNotFoundError,
    NotebookInstanceNotInServiceError,
    PresignedUrlExpiredError,
    PresignError,
    ResourceLimitExceededError,
    ServiceError,
    ServiceUnavailableError,
    ThrottlingError,
    UnexpectedResponseError,
    WaitTimeoutError,
)
from ._result import PresignedNotebookUrl
from ._shortcut import create_presigned_url
from ._status import NotebookInstanceStatus
from ._validation import validate_notebook_instance_name, validate_session_duration

__all__ = [
    "DEFAULT_SESSION_DURATION",
    "MAX_SESSION_DURATION",
    "MIN_SESSION_DURATION",
    "URL_VALIDITY",
    "AccessDeniedError",
    "ConfigurationError",
    "CredentialsError",
    "CredentialsRejectedError",
    "InvalidNotebookInstanceNameError",
    "InvalidParameterError",
    "InvalidSessionDurationError",
    "NetworkError",
    "NotebookInstanceFailedError",
    "NotebookInstanceNotFoundError",
    "NotebookInstanceNotInServiceError",
    "NotebookInstanceStatus",
    "PresignClient",
    "PresignError",
    "PresignedNotebookUrl",
    "PresignedUrlExpiredError",
    "ResourceLimitExceededError",
    "ServiceError",
    "ServiceUnavailableError",
    "ThrottlingError",
    "UnexpectedResponseError",
    "WaitTimeoutError",
    "__version__",
    "create_presigned_url",
    "validate_notebook_instance_name",
    "validate_session_duration",
]

if TYPE_CHECKING:
    __version__: str


def __getattr__(name: str) -> str:
    # Read lazily: importlib.metadata is not free, and most imports never ask.
    if name == "__version__":
        from ._version import version

        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
