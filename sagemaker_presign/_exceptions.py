"""The whole exception tree, and the one table that turns botocore's errors into it.

    PresignError
    ├── InvalidParameterError (also ValueError)
    │   ├── InvalidNotebookInstanceNameError
    │   ├── InvalidResourceIdentifierError
    │   ├── InvalidSessionDurationError
    │   ├── InvalidExpiresInError
    │   ├── InvalidLandingError
    │   └── AmbiguousNameError
    ├── ConfigurationError
    │   └── UnsupportedOperationError
    ├── CredentialsError
    │   └── CredentialsRejectedError (also ServiceError)
    ├── ServiceError
    │   ├── ResourceNotFoundError
    │   │   └── NotebookInstanceNotFoundError
    │   ├── AccessDeniedError
    │   ├── ThrottlingError
    │   ├── ServiceUnavailableError
    │   ├── ResourceLimitExceededError
    │   └── ConflictingStatusError
    ├── NetworkError
    ├── UnexpectedResponseError
    ├── PresignedUrlExpiredError
    ├── ResourceNotInServiceError
    │   └── NotebookInstanceNotInServiceError
    ├── ResourceFailedError
    │   └── NotebookInstanceFailedError
    └── WaitTimeoutError (also TimeoutError)

    InsecureEndpointWarning (a UserWarning, not an error)

Like httpx's ``_exceptions.py``: each class says when it is raised, and the mapping from
the lower layer lives in ``_RAISED`` and ``_SERVICE_CODES`` below, nowhere else: each row gives
our class *and* the message it carries. botocore is imported only once an error has to be
translated, so importing this module stays cheap. (Over 300 lines because the tree and its
one table belong together.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, Generic, NamedTuple, TypeVar

from ._redact import clean
from ._status import NotebookInstanceStatus

# A status type: NotebookInstanceStatus and its siblings are str enums. Type checkers see the
# PEP 696 default (str, for a bare WaitTimeoutError); importing typing_extensions at run time
# would only add start-up time.
if TYPE_CHECKING:
    from typing_extensions import TypeVar as TypeVarWithDefault

    S = TypeVarWithDefault("S", bound=str, default=str)
else:
    S = TypeVar("S", bound=str)


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
        # Every message passes through clean(): no path may put a URL token, a signature or
        # a raw control character into one.
        self.message: str = clean(message)
        self.code: str | None = code
        """The service's error code (``"AccessDeniedException"``), when the service answered."""
        self.request_id: str | None = request_id
        """The ``x-amzn-RequestId`` of the failed request, for AWS support."""
        self.http_status: int | None = http_status
        """The HTTP status of the service's answer."""
        self.notebook_instance_name: str | None = notebook_instance_name
        """The notebook instance the failed call was about."""
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


class InvalidResourceIdentifierError(InvalidParameterError):
    """A domain ID, user profile, space, tracking server name or ARN breaks the API's rule."""


class InvalidExpiresInError(InvalidParameterError):
    """``expires_in`` is outside 5-300 seconds or not whole seconds."""


class AmbiguousNameError(InvalidParameterError):
    """A name (a Studio domain's) matches several resources; the message lists their IDs."""


class InvalidLandingError(InvalidParameterError):
    """A notebook ``landing_path`` or a Studio ``landing_uri`` is not of an accepted shape."""


class ConfigurationError(PresignError):
    """No region, an unknown profile or a bad endpoint URL: fix the setup, not the call."""


class UnsupportedOperationError(ConfigurationError):
    """The installed botocore predates the operation (or parameter); upgrade botocore."""


class CredentialsError(PresignError):
    """No usable AWS credentials, or the service refused the ones that were sent."""


class ServiceError(PresignError):
    """SageMaker answered with an error; ``code`` and the message are the service's own."""


class CredentialsRejectedError(CredentialsError, ServiceError):
    """The service refused the caller's identity or signature (expired token, bad key...)."""


class ResourceNotFoundError(ServiceError):
    """What the call named (domain, user profile, tracking server, app) does not exist here."""


class NotebookInstanceNotFoundError(ResourceNotFoundError):
    """No notebook instance of that name exists in this account and region."""


class AccessDeniedError(ServiceError):
    """IAM denied the call; an ``aws:SourceIp`` condition in a policy is a common cause."""


class ThrottlingError(ServiceError):
    """The service kept throttling the call after botocore's retries were spent."""


class ServiceUnavailableError(ServiceError):
    """The service failed on its side (an internal failure or any 5xx status)."""


class ResourceLimitExceededError(ServiceError):
    """Starting the instance would exceed an account quota (``ResourceLimitExceeded``)."""


class ConflictingStatusError(ServiceError):
    """The instance's status does not allow the call (a start of an instance not Stopped)."""


class NetworkError(PresignError):
    """The endpoint could not be reached or the connection failed (timeout, TLS, proxy)."""


class UnexpectedResponseError(PresignError):
    """The answer could not be read, or held no usable ``AuthorizedUrl`` (not a plain https URL)."""


class PresignedUrlExpiredError(PresignError):
    """``ensure_fresh`` found the URL stale, or too close to its end for the margin given."""


class ResourceNotInServiceError(PresignError, Generic[S]):
    """Waiting found the resource stopped (and not to be started) or going away; see ``status``."""

    def __init__(self, message: str, *, status: S, **context: Any) -> None:
        super().__init__(message, **context)
        self.status: S = status
        """The status that ended the wait."""


class NotebookInstanceNotInServiceError(ResourceNotInServiceError[NotebookInstanceStatus]):
    """The instance is Stopped and may not be started, or is being deleted; see ``status``."""


class ResourceFailedError(PresignError):
    """Waiting found the resource failed; ``failure_reason`` is the service's explanation."""

    def __init__(self, message: str, *, failure_reason: str | None, **context: Any) -> None:
        super().__init__(message, **context)
        self.failure_reason: str | None = failure_reason
        """The service's FailureReason, when it gave one."""


class NotebookInstanceFailedError(ResourceFailedError):
    """The instance is Failed; ``failure_reason`` is the service's explanation."""


class WaitTimeoutError(PresignError, TimeoutError):
    """The resource was not ready before the timeout; ``last_status`` is the last seen."""

    def __init__(self, message: str, *, last_status: str | None, **context: Any) -> None:
        super().__init__(message, **context)
        self.last_status: str | None = last_status
        """The last status seen before time ran out."""


class DownloadError(PresignError):
    """A download could not go on: the disk is full, a folder cannot be written, the
    destination is a file, a URL is refused, or a file failed its checks (nothing half-written
    is left looking complete)."""


class InsecureEndpointWarning(UserWarning):
    """A plain ``http://`` endpoint on another host: the URL's token would cross unencrypted."""


# --- the translation table ------------------------------------------------------------------
#
# Message templates may use {operation} (the API call), {about} (" for notebook instance 'x'"),
# {where} (" in eu-west-1"), {name} and {detail} (the lower layer's own text, cleaned).


class _Row(NamedTuple):
    """One row of the table: our class, its message, and (for service codes) when it applies."""

    error: type[PresignError]
    template: str
    #: For a service code: the service message must match this, or the row is passed over.
    message: str | None = None
    #: For a service code: the message must also name the notebook instance the call was about.
    names_instance: bool = False
    #: {detail} starts with the exception's class name (for errors that are not botocore's).
    detail_with_type: bool = False


_NETWORK = _Row(NetworkError, "could not talk to the SageMaker endpoint: {detail}")
_CONFIGURATION = _Row(ConfigurationError, "the AWS configuration is not usable: {detail}")
_CREDENTIALS = _Row(CredentialsError, "the AWS credentials could not be used: {detail}")
_SSO = _Row(
    CredentialsError,
    "the SSO login could not be used: {detail}; run `aws sso login` (with --profile if needed)",
)
_UNREADABLE = _Row(
    UnexpectedResponseError,
    "SageMaker's answer to {operation}{about} could not be read: {detail}",
)

#: Exceptions raised while botocore handles one of our calls, by class name -> our row. The
#: raised exception's MRO is walked, so the most specific class listed wins. Names from
#: botocore.exceptions (absent ones in an older botocore are harmless), then the built-in
#: exceptions botocore's stack lets through: a parser crashing on a hostile body (a JSON array,
#: ``[`` x 200,000), or moto's in-process ``mock_aws``, which raises NotImplementedError.
_RAISED: Final[Mapping[str, _Row]] = {
    "ParamValidationError": _Row(InvalidParameterError, "botocore rejected a parameter: {detail}"),
    "NoRegionError": _Row(
        ConfigurationError,
        "no AWS region is set: pass region_name (--region on the command line), set "
        "AWS_REGION, or give your profile a region (`aws configure set region eu-west-1`)",
    ),
    "ProfileNotFound": _Row(
        ConfigurationError,
        "{detail}: check AWS_PROFILE or --profile against `aws configure list-profiles`",
    ),
    "InvalidRegionError": _CONFIGURATION,
    "InvalidConfigError": _CONFIGURATION,
    "InvalidEndpointConfigurationError": _CONFIGURATION,
    "UnknownEndpointError": _CONFIGURATION,
    "NoCredentialsError": _Row(
        CredentialsError,
        "no AWS credentials were found: run `aws configure`, set AWS_PROFILE to a configured "
        "profile, or run `aws sso login` for an IAM Identity Center (SSO) profile",
    ),
    "PartialCredentialsError": _CREDENTIALS,
    "CredentialRetrievalError": _CREDENTIALS,
    "RefreshWithMFAUnsupportedError": _CREDENTIALS,
    "SSOError": _SSO,
    "TokenRetrievalError": _SSO,
    "NoAuthTokenError": _SSO,
    "UnauthorizedSSOTokenError": _SSO,
    "EndpointConnectionError": _NETWORK,
    "ConnectionError": _NETWORK,
    "HTTPClientError": _NETWORK,
    "ResponseParserError": _UNREADABLE,
    "BotoCoreError": _Row(PresignError, "{detail}"),
    "NotImplementedError": _Row(
        ServiceError,
        "the SageMaker endpoint does not implement {operation}: {detail} (moto's in-process "
        "mock_aws does not implement the presign call; use LocalSageMaker)",
        detail_with_type=True,
    ),
    "Exception": _Row(
        UnexpectedResponseError,
        "SageMaker's answer to {operation}{about} could not be read: botocore failed with {detail}",
        detail_with_type=True,
    ),
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
_VALIDATION_CODES = ("ValidationException", "ValidationError")

_NOT_FOUND_HEAD = "notebook instance {name!r} does not exist in this account{where}"
_REFUSED = _Row(ServiceError, "SageMaker refused {operation}{about}{where}")
_THROTTLED = _Row(
    ThrottlingError, "{operation}{about} was throttled, and botocore's retries are spent"
)
_UNAVAILABLE = _Row(ServiceUnavailableError, "SageMaker failed on its side in {operation}{about}")

#: Service error codes -> the rows that may apply, first match wins. SageMaker answers an
#: unknown notebook instance with ValidationException "RecordNotFound" and a start from the
#: wrong status with "Status (X) not in ([Stopped])": validation codes, so the message decides;
#: a "does not exist" about anything else (a subnet, a role) is not the instance missing.
_SERVICE_CODES: Final[Mapping[str, tuple[_Row, ...]]] = {
    **dict.fromkeys(
        _CREDENTIAL_CODES,
        (
            _Row(
                CredentialsRejectedError,
                "SageMaker refused the caller's AWS credentials or signature in {operation}; "
                "refresh them (`aws sso login`, new keys) or check the system clock",
            ),
        ),
    ),
    **dict.fromkeys(
        _ACCESS_CODES,
        (
            _Row(
                AccessDeniedError,
                "access denied to {operation}{about}{where} (IAM permission "
                "sagemaker:{operation}); an IAM policy with an aws:SourceIp condition "
                "(NotIpAddress) is a common cause: check that the caller's IP address is allowed",
            ),
        ),
    ),
    **dict.fromkeys(_THROTTLING_CODES, (_THROTTLED,)),
    **dict.fromkeys(_UNAVAILABLE_CODES, (_UNAVAILABLE,)),
    "ResourceNotFound": (
        _Row(ResourceNotFoundError, "{subject} does not exist in this account{where}"),
    ),
    "ConflictException": (
        _Row(ConflictingStatusError, "{subject} is not in a status that allows {operation}"),
    ),
    "ResourceLimitExceeded": (
        _Row(
            ResourceLimitExceededError,
            "{operation}{about} would exceed an account quota{where}; "
            "stop another instance or ask AWS for a higher limit",
        ),
    ),
    **dict.fromkeys(
        _VALIDATION_CODES,
        (
            _Row(NotebookInstanceNotFoundError, _NOT_FOUND_HEAD, "RecordNotFound"),
            _Row(
                NotebookInstanceNotFoundError,
                _NOT_FOUND_HEAD,
                r"(?i)notebook instance\b.{0,300}(?:not found|does not exist)",
                names_instance=True,
            ),
            _Row(
                ConflictingStatusError,
                "{subject} is not in a status that allows {operation}",
                r"Status \(\w+\) not in \(\[",
            ),
            _Row(
                ServiceError,
                "{subject} belongs to a Studio domain that uses IAM Identity Center (SSO): "
                "only domains in IAM auth mode can be presigned; sign in through the AWS access "
                "portal instead",
                r"(?i)\bSSO\b|identity center|single sign-on",
            ),
            _REFUSED,
        ),
    ),
}

#: How much of the service's message goes into ours; the whole text stays on ``__cause__``.
MAX_SERVICE_MESSAGE = 1000


def is_translatable(exc: BaseException) -> bool:
    """True for botocore's own errors, and for anything raised from inside botocore's stack."""
    from botocore.exceptions import BotoCoreError, ClientError

    return isinstance(exc, (BotoCoreError, ClientError)) or (
        isinstance(exc, Exception) and _raised_inside_botocore(exc)
    )


def _raised_inside_botocore(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith("botocore."):
            return True
        tb = tb.tb_next
    return False


def translate(
    exc: Exception,
    *,
    subject: str | None = None,
    notebook_instance_name: str | None = None,
    region_name: str | None = None,
    operation: str | None = None,
) -> PresignError:
    """Return our error for an exception that `is_translatable` accepts.

    Cleans *exc* and its chain in place first (tokens, signatures and URL passwords out of
    their messages, and out of a ClientError's ``response``), so that the caller can raise the
    result ``from exc`` and no traceback shows a secret.
    """
    from botocore.exceptions import ClientError

    _clean_chain(exc)
    if subject is None and notebook_instance_name:
        subject = f"notebook instance {notebook_instance_name!r}"
    context = {
        "operation": getattr(exc, "operation_name", None) or operation or "the SageMaker call",
        "about": f" for {subject}" if subject else "",
        "subject": subject or "what the call named",
        "where": f" in {region_name}" if region_name else "",
        "name": notebook_instance_name,
    }
    if isinstance(exc, ClientError):
        return _translate_client_error(exc, notebook_instance_name, context)
    row = next(
        (
            _RAISED[klass.__name__]
            for klass in type(exc).__mro__
            if klass.__module__.startswith(("botocore", "builtins")) and klass.__name__ in _RAISED
        ),
        _RAISED["BotoCoreError"],
    )
    detail = str(exc)
    if row.detail_with_type or not detail:
        detail = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    context["detail"] = detail
    return row.error(
        _cap(row.template.format(**context)), notebook_instance_name=notebook_instance_name
    )


def _translate_client_error(
    exc: Any, notebook_instance_name: str | None, context: dict[str, Any]
) -> ServiceError:
    response: Mapping[str, Any] = exc.response
    error: Mapping[str, Any] = response.get("Error", {})
    metadata: Mapping[str, Any] = response.get("ResponseMetadata", {})
    code = str(error.get("Code") or "Unknown")
    service_message = str(error.get("Message") or "").strip()
    status = metadata.get("HTTPStatusCode")
    http_status = status if isinstance(status, int) else None
    request_id = metadata.get("RequestId") or None

    row = next(
        (r for r in _SERVICE_CODES.get(code, ()) if _applies(r, service_message, context)), None
    )
    if row is None:
        if http_status is not None and http_status >= 500:
            row = _UNAVAILABLE
        elif http_status == 429:
            row = _THROTTLED
        else:
            row = _REFUSED
    details = ", ".join(
        part
        for part in (
            code,
            f"HTTP {http_status}" if http_status else "",
            f"request ID {request_id}" if request_id else "",
        )
        if part
    )
    tail = f": {_cap(service_message)}" if service_message else ""
    cls: Any = row.error
    error_out: ServiceError = cls(
        f"{row.template.format(**context)} ({details}){tail}",
        code=code,
        request_id=request_id,
        http_status=http_status,
        notebook_instance_name=notebook_instance_name,
    )
    return error_out


def _applies(row: _Row, service_message: str, context: Mapping[str, Any]) -> bool:
    if row.message is not None and not re.search(row.message, service_message):
        return False
    if row.names_instance:
        name = context["name"]
        return (
            bool(name)
            and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", service_message) is not None
        )
    return True


def _cap(text: str) -> str:
    if len(text) <= MAX_SERVICE_MESSAGE:
        return text
    cut = len(text) - MAX_SERVICE_MESSAGE
    return f"{text[:MAX_SERVICE_MESSAGE]}... [{cut} more characters cut; see __cause__]"


def _clean_chain(exc: BaseException) -> None:
    """Clean the messages of *exc*, its causes, contexts and wrapped errors, in place."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        current.args = tuple(clean(a) if isinstance(a, str) else a for a in current.args)
        for attribute in ("kwargs", "response"):
            value = getattr(current, attribute, None)
            if isinstance(value, dict):
                setattr(current, attribute, _cleaned(value))
                wrapped = value.values()  # pyright: ignore[reportUnknownVariableType]
                stack.extend(v for v in wrapped if isinstance(v, BaseException))  # pyright: ignore[reportUnknownVariableType]
        stack.extend(e for e in (current.__cause__, current.__context__) if e is not None)


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: _cleaned(item) for key, item in value.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, (list, tuple)):
        return type(value)(_cleaned(item) for item in value)  # pyright: ignore[reportUnknownArgumentType, reportUnknownVariableType]
    return value
