"""Finding what to open: typed listings of notebook instances, Studio domains, user profiles
and spaces, and MLflow tracking servers, every page followed; a domain by its name."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ._core import ClientCore, PresignCall
from ._exceptions import AmbiguousNameError, ResourceNotFoundError, UnexpectedResponseError
from ._validation import check_identifier

if TYPE_CHECKING:
    from ._summaries import (
        DomainSummary,
        MlflowTrackingServerSummary,
        NotebookInstanceSummary,
        SpaceSummary,
        UserProfileSummary,
    )

T = TypeVar("T")
_DOMAIN_ID = r"d-(-*[a-z0-9]){1,61}"
_DOMAIN_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"


class DiscoveryDoor(ClientCore):
    """PresignClient's listings."""

    def _pages(
        self,
        method: str,
        operation: str,
        params: dict[str, Any],
        items_key: str,
        make: Callable[[Mapping[str, Any]], T],
        *,
        since: str | None = None,
    ) -> Iterator[T]:
        """Every item of every page, in the service's order; NextToken followed."""
        subject = f"the {operation} listing"
        self._check_supported(PresignCall(method, operation, params, subject, since=since))
        request = dict(params)
        while True:
            answer: Any = self._call(method, request, subject=subject)
            page = cast("Mapping[str, Any]", answer if isinstance(answer, Mapping) else {})
            items: Any = page.get(items_key)
            if not isinstance(items, list):
                raise UnexpectedResponseError(
                    f"SageMaker's answer to {operation} has no {items_key}"
                )
            entries: list[Any] = items  # pyright: ignore[reportUnknownVariableType]
            for item in entries:
                if isinstance(item, Mapping):
                    yield make(cast("Mapping[str, Any]", item))
            token: Any = page.get("NextToken")
            if not isinstance(token, str) or not token:
                return
            request["NextToken"] = token

    def list_notebook_instances(
        self, *, name_contains: str | None = None, status: str | None = None
    ) -> Iterator[NotebookInstanceSummary]:
        """Every notebook instance (whose name holds *name_contains*, in *status*), all pages
        followed, as the service sorts them (newest first)."""
        params: dict[str, Any] = {"MaxResults": 100}
        if name_contains is not None:
            params["NameContains"] = name_contains
        if status is not None:
            params["StatusEquals"] = str(status)
        from ._summaries import NotebookInstanceSummary

        return self._pages(
            "list_notebook_instances",
            "ListNotebookInstances",
            params,
            "NotebookInstances",
            NotebookInstanceSummary.from_item,
        )

    def list_domains(self) -> Iterator[DomainSummary]:
        """Every Studio domain, all pages followed."""
        from ._summaries import DomainSummary

        return self._pages(
            "list_domains",
            "ListDomains",
            {"MaxResults": 100},
            "Domains",
            DomainSummary.from_item,
        )

    def list_user_profiles(self, domain_id: str | None = None) -> Iterator[UserProfileSummary]:
        """Every Studio user profile (of *domain_id*, an ID), all pages followed."""
        params: dict[str, Any] = {"MaxResults": 100}
        if domain_id is not None:
            params["DomainIdEquals"] = domain_id
        from ._summaries import UserProfileSummary

        return self._pages(
            "list_user_profiles",
            "ListUserProfiles",
            params,
            "UserProfiles",
            UserProfileSummary.from_item,
        )

    def list_spaces(self, domain_id: str | None = None) -> Iterator[SpaceSummary]:
        """Every Studio space (of *domain_id*, an ID), with its owner and app type where the
        service gives them, all pages followed."""
        params: dict[str, Any] = {"MaxResults": 100}
        if domain_id is not None:
            params["DomainIdEquals"] = domain_id
        from ._summaries import SpaceSummary

        return self._pages(
            "list_spaces",
            "ListSpaces",
            params,
            "Spaces",
            SpaceSummary.from_item,
        )

    def list_mlflow_tracking_servers(
        self, *, status: str | None = None
    ) -> Iterator[MlflowTrackingServerSummary]:
        """Every MLflow tracking server (in *status*), all pages followed."""
        params: dict[str, Any] = {"MaxResults": 100}
        if status is not None:
            params["TrackingServerStatus"] = str(status)
        from ._summaries import MlflowTrackingServerSummary

        return self._pages(
            "list_mlflow_tracking_servers",
            "ListMlflowTrackingServers",
            params,
            "TrackingServerSummaries",
            MlflowTrackingServerSummary.from_item,
            since="1.34.129",
        )

    def resolve_domain_id(self, name_or_id: str) -> str:
        """The ID of the Studio domain *name_or_id*: an ID (``d-...``) as it is, a name
        looked up with ListDomains.

        Raises:
            ResourceNotFoundError: no domain has that name.
            AmbiguousNameError: several do; the message lists their IDs.
            InvalidResourceIdentifierError: no domain could have that name or ID; nothing
                was sent.
        """
        if re.fullmatch(_DOMAIN_ID, name_or_id):
            return name_or_id
        check_identifier(
            name_or_id,
            "Studio domain name or ID",
            _DOMAIN_NAME,
            max_length=63,
            rule="a domain ID is d- then lower-case letters and digits; a name has only ASCII "
            "letters, digits and hyphens, starting and ending with a letter or digit",
        )
        found = [d.domain_id for d in self.list_domains() if d.name == name_or_id]
        if len(found) == 1:
            return found[0]
        where = f" in {self._region}" if self._region else ""
        if not found:
            raise ResourceNotFoundError(
                f"no Studio domain is named {name_or_id!r}{where} "
                "(sagemaker-presign list studio shows them)"
            )
        raise AmbiguousNameError(
            f"{len(found)} Studio domains are named {name_or_id!r}{where}: pass one of their "
            f"IDs instead: {', '.join(sorted(found))}"
        )
