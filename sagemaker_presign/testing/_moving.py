"""How LocalSageMaker's resources move between statuses, by describes counted or by time."""

from __future__ import annotations

import secrets
import string
import time


class Moving:
    """A mixin for a resource dataclass with ``status``, ``upcoming``, ``settles`` and
    ``last_modified_time`` fields."""

    status: str
    upcoming: list[str]
    settles: tuple[float, str] | None
    last_modified_time: float

    def advance(self, now: float) -> None:
        """Move along the scripted transition, as one describe sees it."""
        if self.settles is not None:
            if now >= self.settles[0]:
                self.status, self.settles = self.settles[1], None
        elif self.upcoming:
            self.status = self.upcoming.pop(0)

    def transition(self, through: str, to: str, polls: int, seconds: float | None) -> None:
        """Go to *through* now, and to *to* after *polls* describes or *seconds*."""
        self.status = through
        self.last_modified_time = time.time()
        self.upcoming = []
        self.settles = None
        if seconds is not None:
            self.settles = (time.monotonic() + seconds, to)
        else:
            self.upcoming = [through] * polls + [to]


def random_id(length: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    """A random identifier, as the service makes them (``d-`` + 12 of these, say)."""
    return "".join(secrets.choice(alphabet) for _ in range(length))
