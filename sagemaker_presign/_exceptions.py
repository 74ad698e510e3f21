"""The whole exception tree, and the one table that turns botocore's errors into it.

    PresignError
    ├── InvalidParameterError (also ValueError)
    │   ├── InvalidNotebookInstanceNameError
    │   └── InvalidSessionDurationError
    ├── ConfigurationError
    ├── CredentialsError
    │   └── CredentialsRejectedError (also ServiceError)
    ├── ServiceError
    │   ├── NotebookInstanceNotFoundError
    │   ├── AccessDeniedError
    │   ├── ThrottlingError
    │   ├── ServiceUnavailableError
    │   └── ResourceLimitExceededError
    ├── NetworkError
    ├── UnexpectedResponseError
    ├── PresignedUrlExpiredError
    ├── NotebookInstanceNotInServiceError
    ├── NotebookInstanceFailedError
    └── WaitTimeoutError (also TimeoutError)

Like httpx's ``_exceptions.py``: each class says when it is raised, and the mapping from
the lower layer lives in ``_BOTOCORE_EXCEPTIONS`` and ``_SERVICE_CODES`` below, nowhere else.
botocore is imported only once an error has to be translated, so importing this module
stays cheap.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from ._redact import scrub
from ._status import NotebookInstanceStatus


class PresignError(Exception):
    """Base of every error this package raises."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
        notebook_instance_name: str | None = None,
    ) -> None:
        # Every message passes through scrub(): no path may put a URL token into one.
        self.message: str = scrub(message)
        #: The service's error code (``"AccessDeniedException"``), when the service answered.
        self.code: str | None = code
        #: The ``x-amzn-RequestId`` of the failed request, for AWS support.
        self.request_id: str | None = request_id
        #: The HTTP status of the service's answer.
        self.http_status: int | None = http_status
        #: The notebook instance the failed call was about.
        self.notebook_instance_name: str | None = notebook_instance_name
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep the keyword-only attributes across pickling (multiprocessing, for one).
        return (_rebuild, (type(self), self.message, self.__dict__.copy()))


def _rebuild(cls: type[PresignError], message: str, state: dict[str, Any]) -> PresignError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(state)
    return error


class InvalidParameterError(PresignError, ValueError):
    """A parameter broke the API's rules; raised before anything is sent."""


class InvalidNotebookInstanceNameError(InvalidParameterError):
    """The notebook instance name is empty, too long or not of the allowed characters."""


class InvalidSessionDurationError(InvalidParameterError):
    """The session duration is outside 1800-43200 seconds or not whole seconds."""


class ConfigurationError(PresignError):
    """No region, an unknown profile or a bad endpoint URL: fix the setup, not the call."""


class CredentialsError(PresignError):
    """No usable AWS credentials, or the service refused the ones that were sent."""


class ServiceError(PresignError):
    """SageMaker answered with an error; ``code`` and the message are the service's own."""


class CredentialsRejectedError(CredentialsError, ServiceError):
    """The service refused the caller's identity or signature (expired token, bad key...)."""


class NotebookInstanceNotFoundError(ServiceError):
    """No notebook instance of that name exists in this account and region."""


class AccessDeniedError(ServiceError):
    """IAM denied the call; an ``aws:SourceIp`` condition in a policy is a common cause."""


class ThrottlingError(ServiceError):
    """The service kept throttling the call after botocore's retries were spent."""


class ServiceUnavailableError(ServiceError):
    """The service failed on its side (an internal failure or any 5xx status)."""


class ResourceLimitExceededError(ServiceError):
    """Starting the instance would exceed an account quota (``ResourceLimitExceeded``)."""


class NetworkError(PresignError):
    """The endpoint could not be reached or the connection failed (timeout, TLS, proxy)."""


class UnexpectedResponseError(PresignError):
    """The service answered 200 but without a usable ``AuthorizedUrl``."""


class PresignedUrlExpiredError(PresignError):
    """``ensure_fresh`` found the URL stale, or too close to its end for the margin given."""


class NotebookInstanceNotInServiceError(PresignError):
    """The instance is Stopped and may not be started, or is being deleted; see ``status``."""

    def __init__(self, message: str, *, status: NotebookInstanceStatus, **context: Any) -> None:
        super().__init__(message, **context)
        #: The status that ended the wait.
        self.status: NotebookInstanceStatus = status


class NotebookInstanceFailedError(PresignError):
    """The instance is Failed; ``failure_reason`` is the service's explanation."""

    def __init__(self, message: str, *, failure_reason: str | None, **context: Any) -> None:
        super().__init__(message, **context)
        #: The service's FailureReason, when it gave one.
        self.failure_reason: str | None = failure_reason


class WaitTimeoutError(PresignError, TimeoutError):
    """The instance was not InService before the timeout; ``last_status`` is the last seen."""

    def __init__(
        self, message: str, *, last_status: NotebookInstanceStatus | None, **context: Any
    ) -> None:
        super().__init__(message, **context)
        #: The last status seen before time ran out.
        self.last_status: NotebookInstanceStatus | None = last_status


# --- the translation table ------------------------------------------------------------------

#: botocore exception class names -> ours. The raised exception's MRO is walked, so the
#: most specific botocore class listed wins; names absent from an older botocore are harmless.
_BOTOCORE_EXCEPTIONS: Final[Mapping[str, type[PresignError]]] = {
    "ParamValidationError": InvalidParameterError,
    "NoRegionError": ConfigurationError,
    "ProfileNotFound": ConfigurationError,
    "InvalidRegionError": ConfigurationError,
    "InvalidConfigError": ConfigurationError,
    "InvalidEndpointConfigurationError": ConfigurationError,
    "UnknownEndpointError": ConfigurationError,
    "NoCredentialsError": CredentialsError,
    "PartialCredentialsError": CredentialsError,
    "CredentialRetrievalError": CredentialsError,
    "RefreshWithMFAUnsupportedError": CredentialsError,
    "SSOError": CredentialsError,
    "TokenRetrievalError": CredentialsError,
    "NoAuthTokenError": CredentialsError,
    "UnauthorizedSSOTokenError": CredentialsError,
    "EndpointConnectionError": NetworkError,
    "ConnectionError": NetworkError,
    "HTTPClientError": NetworkError,
    "ResponseParserError": UnexpectedResponseError,
    "BotoCoreError": PresignError,
}

_CREDENTIAL_CODES = (
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "RequestExpired",
)
_ACCESS_CODES = ("AccessDeniedException", "AccessDenied", "NotAuthorized")
# botocore's own list of codes it retries as throttling.
_THROTTLING_CODES = (
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
)
_UNAVAILABLE_CODES = (
    "InternalFailure",
    "InternalServerError",
    "InternalServerException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
)

#: Service error codes -> ours. Codes not listed fall back on the HTTP status (5xx means
#: unavailable, 429 throttled) and then on plain ServiceError.
_SERVICE_CODES: Final[Mapping[str, type[ServiceError]]] = {
    **dict.fromkeys(_CREDENTIAL_CODES, CredentialsRejectedError),
    **dict.fromkeys(_ACCESS_CODES, AccessDeniedError),
    **dict.fromkeys(_THROTTLING_CODES, ThrottlingError),
    **dict.fromkeys(_UNAVAILABLE_CODES, ServiceUnavailableError),
    "ResourceLimitExceeded": ResourceLimitExceededError,
}

# SageMaker answers an unknown name with ValidationException "RecordNotFound" (moto says
# "... does not exist"): a validation code, so the message decides.
_VALIDATION_CODES = ("ValidationException", "ValidationError")
_NOT_FOUND_MESSAGE = re.compile(r"RecordNotFound|does not exist|not found", re.IGNORECASE)

_SOURCE_IP_HINT = (
    "an IAM policy with an aws:SourceIp condition (NotIpAddress) is a common cause: "
    "check that the caller's IP address is allowed"
)


def is_translatable(exc: BaseException) -> bool:
    """True for botocore's own errors, and for crashes of its response parser on a bad body."""
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(exc, (BotoCoreError, ClientError)) or _raised_by_response_parser(exc)


def _raised_by_response_parser(exc: BaseException) -> bool:
    # botocore's parser does not guard against every body: a JSON array where an object
    # belongs ends in an AttributeError deep inside botocore.parsers.
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return (
        isinstance(exc, Exception)
        and tb is not None
        and tb.tb_frame.f_globals.get("__name__") == "botocore.parsers"
    )


def translate(exc: Exception, *, notebook_instance_name: str | None = None) -> PresignError:
    """Return our error for an exception that `is_translatable` accepts.

    The caller raises the result ``from exc``, which keeps botocore's error as ``__cause__``.
    """
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        return _translate_client_error(exc, notebook_instance_name)
    if _raised_by_response_parser(exc):
        return UnexpectedResponseError(
            f"SageMaker's answer could not be read: botocore's parser failed "
            f"({type(exc).__name__})",
            notebook_instance_name=notebook_instance_name,
        )
    cls = next(
        (
            _BOTOCORE_EXCEPTIONS[klass.__name__]
            for klass in type(exc).__mro__
            if klass.__module__.startswith("botocore") and klass.__name__ in _BOTOCORE_EXCEPTIONS
        ),
        PresignError,
    )
    return cls(_describe(cls, exc), notebook_instance_name=notebook_instance_name)


def _describe(cls: type[PresignError], exc: Exception) -> str:
    detail = str(exc) or type(exc).__name__
    if cls is NetworkError:
        return f"could not talk to the SageMaker endpoint: {detail}"
    if cls is CredentialsError:
        return f"no usable AWS credentials: {detail}"
    if cls is ConfigurationError:
        return f"the AWS configuration is not usable: {detail}"
    if cls is InvalidParameterError:
        return f"botocore rejected a parameter: {detail}"
    if cls is UnexpectedResponseError:
        return f"SageMaker's answer could not be read: {detail}"
    return detail


def _translate_client_error(exc: Any, notebook_instance_name: str | None) -> ServiceError:
    response: Mapping[str, Any] = exc.response
    error: Mapping[str, Any] = response.get("Error", {})
    metadata: Mapping[str, Any] = response.get("ResponseMetadata", {})
    code = str(error.get("Code") or "Unknown")
    service_message = str(error.get("Message") or "").strip()
    status = metadata.get("HTTPStatusCode")
    http_status = status if isinstance(status, int) else None
    request_id = metadata.get("RequestId") or None

    cls: type[ServiceError] = _SERVICE_CODES.get(code, ServiceError)
    if code in _VALIDATION_CODES and _NOT_FOUND_MESSAGE.search(service_message):
        cls = NotebookInstanceNotFoundError
    elif cls is ServiceError and http_status is not None:
        if http_status >= 500:
            cls = ServiceUnavailableError
        elif http_status == 429:
            cls = ThrottlingError

    operation = getattr(exc, "operation_name", None) or "the SageMaker call"
    about = f" for notebook instance {notebook_instance_name!r}" if notebook_instance_name else ""
    if cls is NotebookInstanceNotFoundError:
        head = (
            f"notebook instance {notebook_instance_name!r} does not exist "
            "in this account and region"
        )
    elif cls is AccessDeniedError:
        head = f"access denied to {operation}{about}; {_SOURCE_IP_HINT}"
    elif cls is CredentialsRejectedError:
        head = f"SageMaker refused the caller's AWS credentials or signature in {operation}"
    elif cls is ThrottlingError:
        head = f"{operation}{about} was throttled, and botocore's retries are spent"
    elif cls is ServiceUnavailableError:
        head = f"SageMaker failed on its side in {operation}{about}"
    elif cls is ResourceLimitExceededError:
        head = (
            f"{operation}{about} would exceed an account quota; "
            "stop another instance or ask AWS for a higher limit"
        )
    else:
        head = f"SageMaker refused {operation}{about}"
    details = ", ".join(
        part
        for part in (
            code,
            f"HTTP {http_status}" if http_status else "",
            f"request ID {request_id}" if request_id else "",
        )
        if part
    )
    tail = f": {service_message}" if service_message else ""
    return cls(
        f"{head} ({details}){tail}",
        code=code,
        request_id=request_id,
        http_status=http_status,
        notebook_instance_name=notebook_instance_name,
    )
