"""A bound on the large request bodies the platform works on at once.

``/v2`` bodies of up to ``max_request_bytes`` are parsed in the API process (in threads, off
the event loop, but each holds the GIL for long stretches and gigabytes of memory at 64 MiB);
test bodies are held by the API process while the one workbench decodes and scores them. A
few at once are enough to slow every other call, so beyond the bound a large request gets
429 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from daas.errors import TooManyRequests

#: Bodies from this size on take one of the slots; smaller ones never wait or get refused.
LARGE_BODY_BYTES = 1024 * 1024


class HeavyRequests:
    """At most ``limit`` large bodies in decoding at a time (one event loop, no lock needed)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._busy = 0

    @asynccontextmanager
    async def slot(self, size: int) -> AsyncIterator[None]:
        """Hold a slot while a ``size``-byte body is decoded and scored; 429 when none is free."""
        if size < LARGE_BODY_BYTES:
            yield
            return
        if self._busy >= self.limit:
            raise TooManyRequests(f"{self._busy} large requests are being decoded, the most at "
                                  "once; retry in a moment", retry_after=1,
                                  details={"limit": self.limit})
        self._busy += 1
        try:
            yield
        finally:
            self._busy -= 1
