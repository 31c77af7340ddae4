"""The background pass used by the reconciler and the job scheduler."""

from __future__ import annotations

import logging
import threading
import time

from daas.platform.background import PeriodicPass


def test_runs_at_once_survives_a_failing_pass_and_wakes_on_trigger():
    first, second = threading.Event(), threading.Event()

    def run_pass() -> None:
        if not first.is_set():
            first.set()
            raise RuntimeError("first pass fails")
        second.set()

    loop = PeriodicPass("test-loop", run_pass, interval_s=600, log=logging.getLogger("test"))
    loop.start()
    assert first.wait(5), "no pass at start"
    assert not second.wait(0.3), "a second pass ran before the interval or a trigger"
    loop.trigger()
    assert second.wait(5), "trigger did not wake the loop after a failing pass"
    loop.stop()


def test_a_busy_pass_brings_the_next_one_sooner():
    passes: list[float] = []
    done = threading.Event()

    def run_pass() -> bool:
        passes.append(time.monotonic())
        if len(passes) == 3:
            done.set()
        return len(passes) < 3  # busy twice, then quiet

    loop = PeriodicPass("test-busy", run_pass, interval_s=600, log=logging.getLogger("test"),
                        busy_interval_s=0.05)
    loop.start()
    assert done.wait(5), "busy passes did not come sooner than the interval"
    time.sleep(0.3)
    assert len(passes) == 3  # a quiet pass waits the whole interval again
    loop.stop()
