"""sagemaker-presign: a typed, checked client for SageMaker's presigned URLs.

``import sagemaker_presign`` costs next to nothing: each public name loads its module on first
use (PEP 562), and boto3/botocore load only when the first client is built. A script that
fails validation, or only prints ``--help``, never pays for them.
"""

# Not typing.TYPE_CHECKING: importing typing alone would cost more than the rest of this file.
# mypy and pyright treat a name TYPE_CHECKING as True wherever it comes from.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._async import AsyncPresignClient
    from ._client import PresignClient
    from ._constants import (
        DEFAULT_EXPIRES_IN,
        DEFAULT_SESSION_DURATION,
        MAX_SESSION_DURATION,
        MIN_SESSION_DURATION,
        URL_VALIDITY,
    )
    from ._download import DownloadProgress, DownloadSummary
    from ._exceptions import (
        AccessDeniedError,
        AmbiguousNameError,
        ConfigurationError,
        ConflictingStatusError,
        CredentialsError,
        CredentialsRejectedError,
        DownloadError,
        InsecureEndpointWarning,
        InvalidExpiresInError,
        InvalidLandingError,
        InvalidNotebookInstanceNameError,
        InvalidParameterError,
        InvalidResourceIdentifierError,
        InvalidSessionDurationError,
        NetworkError,
        NotebookInstanceFailedError,
        NotebookInstanceNotFoundError,
        NotebookInstanceNotInServiceError,
        PresignedUrlExpiredError,
        PresignError,
        ResourceFailedError,
        ResourceLimitExceededError,
        ResourceNotFoundError,
        ResourceNotInServiceError,
        ServiceError,
        ServiceUnavailableError,
        ThrottlingError,
        UnexpectedResponseError,
        UnsupportedOperationError,
        WaitTimeoutError,
    )
    from ._hub import HubContentUrls, PresignedHubContentFile
    from ._mlflow import (
        PresignedMlflowAppUrl,
        PresignedMlflowTrackingServerUrl,
    )
    from ._notebook import PresignedNotebookUrl
    from ._partner_app import PresignedPartnerAppUrl
    from ._result import PresignedUrl
    from ._shortcut import create_presigned_url
    from ._status import (
        MlflowTrackingServerStatus,
        NotebookInstanceStatus,
        ResourceState,
        StudioStatus,
    )
    from ._studio import (
        LandingUri,
        PresignedDomainUrl,
    )
    from ._summaries import (
        AppSummary,
        DomainSummary,
        HubContentSummary,
        MlflowTrackingServerSummary,
        NotebookInstanceSummary,
        SpaceSummary,
        UserProfileSummary,
    )
    from ._validation import (
        validate_expires_in,
        validate_notebook_instance_name,
        validate_session_duration,
    )

    __version__: str

__all__ = [
    "DEFAULT_EXPIRES_IN",
    "DEFAULT_SESSION_DURATION",
    "MAX_SESSION_DURATION",
    "MIN_SESSION_DURATION",
    "URL_VALIDITY",
    "AccessDeniedError",
    "AmbiguousNameError",
    "AppSummary",
    "AsyncPresignClient",
    "ConfigurationError",
    "ConflictingStatusError",
    "CredentialsError",
    "CredentialsRejectedError",
    "DomainSummary",
    "DownloadError",
    "DownloadProgress",
    "DownloadSummary",
    "HubContentSummary",
    "HubContentUrls",
    "InsecureEndpointWarning",
    "InvalidExpiresInError",
    "InvalidLandingError",
    "InvalidNotebookInstanceNameError",
    "InvalidParameterError",
    "InvalidResourceIdentifierError",
    "InvalidSessionDurationError",
    "LandingUri",
    "MlflowTrackingServerStatus",
    "MlflowTrackingServerSummary",
    "NetworkError",
    "NotebookInstanceFailedError",
    "NotebookInstanceNotFoundError",
    "NotebookInstanceNotInServiceError",
    "NotebookInstanceStatus",
    "NotebookInstanceSummary",
    "PresignClient",
    "PresignError",
    "PresignedDomainUrl",
    "PresignedHubContentFile",
    "PresignedMlflowAppUrl",
    "PresignedMlflowTrackingServerUrl",
    "PresignedNotebookUrl",
    "PresignedPartnerAppUrl",
    "PresignedUrl",
    "PresignedUrlExpiredError",
    "ResourceFailedError",
    "ResourceLimitExceededError",
    "ResourceNotFoundError",
    "ResourceNotInServiceError",
    "ResourceState",
    "ServiceError",
    "ServiceUnavailableError",
    "SpaceSummary",
    "StudioStatus",
    "ThrottlingError",
    "UnexpectedResponseError",
    "UnsupportedOperationError",
    "UserProfileSummary",
    "WaitTimeoutError",
    "__version__",
    "create_presigned_url",
    "validate_expires_in",
    "validate_notebook_instance_name",
    "validate_session_duration",
]

# Public name -> the private module that defines it.
_LOCATIONS = {
    "AsyncPresignClient": "_async",
    "DownloadProgress": "_download",
    "DownloadSummary": "_download",
    "HubContentUrls": "_hub",
    "PresignedHubContentFile": "_hub",
    "PresignClient": "_client",
    **dict.fromkeys(
        (
            "AppSummary",
            "DomainSummary",
            "HubContentSummary",
            "MlflowTrackingServerSummary",
            "NotebookInstanceSummary",
            "SpaceSummary",
            "UserProfileSummary",
        ),
        "_summaries",
    ),
    **dict.fromkeys(
        (
            "DEFAULT_EXPIRES_IN",
            "DEFAULT_SESSION_DURATION",
            "MAX_SESSION_DURATION",
            "MIN_SESSION_DURATION",
            "URL_VALIDITY",
        ),
        "_constants",
    ),
    **dict.fromkeys(
        (
            "AccessDeniedError",
            "AmbiguousNameError",
            "ConfigurationError",
            "ConflictingStatusError",
            "CredentialsError",
            "CredentialsRejectedError",
            "DownloadError",
            "InsecureEndpointWarning",
            "InvalidExpiresInError",
            "InvalidLandingError",
            "InvalidNotebookInstanceNameError",
            "InvalidParameterError",
            "InvalidResourceIdentifierError",
            "InvalidSessionDurationError",
            "NetworkError",
            "NotebookInstanceFailedError",
            "NotebookInstanceNotFoundError",
            "NotebookInstanceNotInServiceError",
            "PresignError",
            "PresignedUrlExpiredError",
            "ResourceFailedError",
            "ResourceLimitExceededError",
            "ResourceNotFoundError",
            "ResourceNotInServiceError",
            "ServiceError",
            "ServiceUnavailableError",
            "ThrottlingError",
            "UnexpectedResponseError",
            "UnsupportedOperationError",
            "WaitTimeoutError",
        ),
        "_exceptions",
    ),
    **dict.fromkeys(
        (
            "PresignedMlflowAppUrl",
            "PresignedMlflowTrackingServerUrl",
        ),
        "_mlflow",
    ),
    "PresignedNotebookUrl": "_notebook",
    "PresignedPartnerAppUrl": "_partner_app",
    "PresignedUrl": "_result",
    "create_presigned_url": "_shortcut",
    **dict.fromkeys(
        (
            "MlflowTrackingServerStatus",
            "NotebookInstanceStatus",
            "ResourceState",
            "StudioStatus",
        ),
        "_status",
    ),
    **dict.fromkeys(
        (
            "LandingUri",
            "PresignedDomainUrl",
        ),
        "_studio",
    ),
    **dict.fromkeys(
        (
            "validate_expires_in",
            "validate_notebook_instance_name",
            "validate_session_duration",
        ),
        "_validation",
    ),
    "__version__": "_version",
}


# Hidden from type checkers, so that a misspelt name is still an error for them.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        module_name = _LOCATIONS.get(name)
        if module_name is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        from importlib import import_module

        module = import_module(f"{__name__}.{module_name}")
        value = module.version() if name == "__version__" else getattr(module, name)
        globals()[name] = value  # later lookups never come back here
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
