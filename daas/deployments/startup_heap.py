"""Keep the garbage collector off what a replica loaded when it started."""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect once, then leave every object alive now out of later collections.

    A replica holds a few hundred thousand long-lived objects (Ray, pandas, the model). The
    allocations of one large request trigger a full collection that walks them all with the
    GIL held (~165 ms here), and every call behind it waits. Frozen objects are still freed
    by reference counting; only a cycle among them would stay.
    """
    gc.collect()
    gc.freeze()
