"""A pass that runs in a background thread every few seconds, or sooner when triggered."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any


class PeriodicPass:
    """Calls ``run_pass`` at once, then every ``interval_s`` seconds or on ``trigger``.

    A pass that returns True asks for the next one after ``busy_interval_s`` instead (something
    is changing and worth watching closely). A failing pass is logged and the loop goes on:
    the next pass retries.
    """

    def __init__(self, name: str, run_pass: Callable[[], Any], interval_s: float,
                 log: logging.Logger, *, busy_interval_s: float | None = None) -> None:
        self.name = name
        self.run_pass = run_pass
        self.interval_s = interval_s
        self.busy_interval_s = interval_s if busy_interval_s is None else busy_interval_s
        self.log = log
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread."""
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the loop after the current pass."""
        self._stop.set()
        self._wake.set()

    def trigger(self) -> None:
        """Ask for a pass soon."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self.run_pass() is True
            except Exception:  # noqa: BLE001 - the loop must survive database and Ray hiccups
                self.log.exception("%s pass failed", self.name)
            self._wake.wait(self.busy_interval_s if busy else self.interval_s)
            self._wake.clear()
