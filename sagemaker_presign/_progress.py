"""What a person waiting minutes for a notebook instance sees on stderr."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from ._status import NotebookInstanceStatus

_SPINNER = "|/-\\"
_FRAME_SECONDS = 0.1


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    """Reports status changes: on a TTY one line redrawn with a spinner, else plain lines.

    ``sleep`` is the waiter's sleep: on a TTY it keeps the spinner and the clock moving.
    """

    def __init__(
        self,
        stream: TextIO,
        name: str,
        *,
        tty: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream
        self._name = name
        self._tty = tty
        self._clock = clock
        self._started = clock()
        self._history: list[NotebookInstanceStatus] = []
        self._frame = 0
        self._line_open = False

    def rename(self, name: str) -> None:
        """Name the resource once it is known (picked from a list, looked up)."""
        if name:
            self._name = name

    def on_status(self, status: NotebookInstanceStatus) -> None:
        self._history.append(status)
        if self._tty:
            self._draw()
        else:
            self._stream.write(
                f"[{_elapsed(self._clock() - self._started):>6}] {self._name}: {status}\n"
            )
            self._stream.flush()

    def sleep(self, seconds: float) -> None:
        if not self._tty:
            time.sleep(seconds)
            return
        end = self._clock() + seconds
        while (left := end - self._clock()) > 0:
            time.sleep(min(_FRAME_SECONDS, left))
            self._frame += 1
            self._draw()

    def close(self) -> None:
        """End the redrawn line, so what follows starts on a line of its own."""
        if self._line_open:
            self._draw(final=True)
            self._stream.write("\n")
            self._stream.flush()
            self._line_open = False

    def _draw(self, *, final: bool = False) -> None:
        path = " -> ".join(str(status) for status in self._history)
        spinner = " " if final else _SPINNER[self._frame % len(_SPINNER)]
        elapsed = _elapsed(self._clock() - self._started)
        # Marked open before the write: a Ctrl-C landing mid-draw must still end the line.
        self._line_open = True
        # \r back to the start, \x1b[K clears what a longer earlier line left behind.
        self._stream.write(f"\r{spinner} {self._name}: {path} ({elapsed})\x1b[K")
        self._stream.flush()
