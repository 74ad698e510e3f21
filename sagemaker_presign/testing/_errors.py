"""Error answers, as the AWS JSON 1.1 protocol shapes them."""

from __future__ import annotations


class ApiError(Exception):
    """An error answer: ``__type`` *code*, *message*, HTTP *status*."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def record_not_found() -> ApiError:
    """What SageMaker (and moto) answer for an unknown notebook instance name."""
    return ApiError("ValidationException", "RecordNotFound")
