"""Score the row frames of several requests with one model call, and split the answer back.

If the combined call fails (one request holds a value the model itself refuses), every
request is scored on its own, so only the bad one gets the error.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from daas.errors import InternalError
from daas.runtimes.base import ModelRuntime

Rows = list[dict[str, Any]]


def predict_batch(runtime: ModelRuntime, frames: list[pd.DataFrame]) -> list[Rows | Exception]:
    """One outcome per frame, in order: its prediction rows, or the exception it caused."""
    if len(frames) == 1:
        return [_predict_alone(runtime, frames[0])]
    try:
        rows = runtime.predict(pd.concat(frames, ignore_index=True))
    except Exception:  # noqa: BLE001 - retried one by one below, each keeping its own error
        return [_predict_alone(runtime, frame) for frame in frames]
    return split_rows(rows, [len(frame) for frame in frames])


def split_rows(rows: Rows, sizes: list[int]) -> list[Rows | Exception]:
    """Cut ``rows`` into consecutive parts of ``sizes`` rows."""
    if len(rows) != sum(sizes):
        error = InternalError(f"the model returned {len(rows)} rows for {sum(sizes)} inputs")
        return [error] * len(sizes)
    parts: list[Rows | Exception] = []
    start = 0
    for size in sizes:
        parts.append(rows[start:start + size])
        start += size
    return parts


def _predict_alone(runtime: ModelRuntime, frame: pd.DataFrame) -> Rows | Exception:
    try:
        return runtime.predict(frame)
    except Exception as exc:  # noqa: BLE001 - handed back to the one request it belongs to
        return exc
