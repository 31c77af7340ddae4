"""Waiting on the platform: how often to poll, how to pass the time, how to show progress."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from daas.cli.output import stderr

T = TypeVar("T")

#: Seconds between two polls while waiting for a service, a request or a run.
POLL_INTERVAL_S = 1.0
#: How to pass that time (tests swap it for a step of their fake platform).
pause_between_polls: Callable[[float], None] = time.sleep


def poll_pace() -> dict[str, Any]:
    """The ``interval`` and ``sleep`` arguments of the client's ``wait_for_*`` methods."""
    return {"interval": POLL_INTERVAL_S, "sleep": pause_between_polls}


@contextmanager
def spinner(text: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr if it is a terminal; yields a function that changes its text."""
    console = stderr()
    if not console.is_terminal:
        yield lambda _text: None
        return
    with console.status(text) as status:
        yield status.update


def each_change_once(line_of: Callable[[T], str]) -> Callable[[T], None]:
    """A poll callback printing ``line_of(answer)`` on stderr whenever that line changes."""
    console = stderr()
    last: list[str] = []

    def note(answer: T) -> None:
        line = line_of(answer)
        if last != [line]:
            last[:] = [line]
            console.print(line, markup=False, highlight=False)

    return note
