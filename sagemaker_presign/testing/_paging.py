"""Pagination as SageMaker's List operations do it: MaxResults 1-100, an opaque NextToken that
belongs to the query it came from."""

from __future__ import annotations

import base64
import json
from typing import Any, TypeVar

from ._errors import ApiError

T = TypeVar("T")
JsonObject = dict[str, Any]


def paginate(items: list[T], body: JsonObject, default_max: int = 10) -> tuple[list[T], JsonObject]:
    """The page of *items* the request *body* asks for, and the answer's NextToken (if any)."""
    max_results = body.get("MaxResults", default_max)
    if not isinstance(max_results, int) or not 1 <= max_results <= 100:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to "
            "satisfy constraint: Member must have value between 1 and 100",
        )
    start = _decode_token(body.get("NextToken"), body)
    answer: JsonObject = {}
    if start + max_results < len(items):
        answer["NextToken"] = _encode_token(start + max_results, body)
    return items[start : start + max_results], answer


def _query_of(body: JsonObject) -> str:
    """What a NextToken belongs to: the request without its paging fields."""
    return json.dumps(
        {k: v for k, v in body.items() if k not in ("NextToken", "MaxResults")}, sort_keys=True
    )


def _encode_token(offset: int, body: JsonObject) -> str:
    raw = json.dumps({"offset": offset, "query": _query_of(body)}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_token(token: object, body: JsonObject) -> int:
    if token is None:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(str(token)))
        if decoded["query"] == _query_of(body) and isinstance(decoded["offset"], int):
            return int(decoded["offset"])
    except (ValueError, KeyError, TypeError):
        pass
    raise ApiError("ValidationException", "Invalid pagination token")
