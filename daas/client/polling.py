"""Polling a resource until it settles: the loop behind every ``wait_for_*`` method."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from daas.errors import DaasError

T = TypeVar("T")


def poll_until(fetch: Callable[[], T], settled: Callable[[T], bool], *, timeout: float,
               interval: float, on_poll: Callable[[T], None] | None,
               sleep: Callable[[float], None],
               timed_out: Callable[[T], DaasError]) -> T:
    """Fetch until ``settled`` says so (it may raise instead), and return the last answer.

    ``on_poll`` sees every answer, the last one too; once ``timeout`` seconds have passed,
    the error ``timed_out`` builds from the last answer is raised.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if on_poll is not None:
            on_poll(value)
        if settled(value):
            return value
        if time.monotonic() >= deadline:
            raise timed_out(value)
        sleep(interval)
