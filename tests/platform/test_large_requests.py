"""Large test and /v2 bodies: a bounded number at a time, and one too many gets 429. That
the API answers while one is decoded (by the real model worker) is in ``tests/live``."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from daas.errors import TooManyRequests
from daas.platform.heavy_requests import LARGE_BODY_BYTES, HeavyRequests
from tests.child_server import fake_platform
from tests.model_factory import iris_classifier_onnx

ROW = b"6.7,3.0,5.2,2.3\n"


def test_large_bodies_take_a_slot_and_small_ones_never_wait():
    limiter = HeavyRequests(1)

    async def scenario():
        async with limiter.slot(LARGE_BODY_BYTES):
            async with limiter.slot(LARGE_BODY_BYTES - 1):  # small: no slot needed
                pass
            with pytest.raises(TooManyRequests) as refused:
                async with limiter.slot(LARGE_BODY_BYTES):
                    pass
        async with limiter.slot(LARGE_BODY_BYTES):  # free again
            pass
        return refused.value

    refused = asyncio.run(scenario())
    assert refused.status_code == 429 and refused.retry_after == 1 and refused.details == {"limit": 1}


def csv_of(size: int) -> bytes:
    """A CSV of about ``size`` bytes whose last row is refused, so decoding runs to the end."""
    header = b"sepal_length,sepal_width,petal_length,petal_width\n"
    return header + ROW * (size // len(ROW)) + b"6.7,3.0,5.2,tall\n"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    home = tmp_path_factory.mktemp("large")
    model = iris_classifier_onnx(home)
    with fake_platform(home / "home", DAAS_MAX_LARGE_REQUESTS="1") as (process, base, admin):
        headers = {"Authorization": f"Bearer {admin}"}
        with open(model.path, "rb") as file:
            uploaded = httpx.post(f"{base}/api/v1/models", headers=headers, data={"name": "iris"},
                                  files={"file": ("iris.onnx", file)}, timeout=60)
        assert uploaded.status_code == 201, uploaded.text
        yield base, headers


def test_one_large_request_too_many_gets_429_with_retry_after(platform):
    base, headers = platform
    body = csv_of(16 * 1024 * 1024)
    outcome = {}

    def big_request():
        outcome["first"] = httpx.post(f"{base}/api/v1/models/iris/test", content=body, timeout=300,
                                      headers={**headers, "Content-Type": "text/csv"})

    sender = threading.Thread(target=big_request)
    sender.start()
    time.sleep(1)
    second = httpx.post(f"{base}/api/v1/models/iris/test", content=body, timeout=300,
                        headers={**headers, "Content-Type": "text/csv"})
    small = httpx.post(f"{base}/api/v1/models/iris/test", content=b"sepal_length,sepal_width,"
                       b"petal_length,petal_width\n" + ROW, timeout=30,
                       headers={**headers, "Content-Type": "text/csv"})
    sender.join()
    assert outcome["first"].status_code == 422
    assert second.status_code == 429 and second.headers["retry-after"] == "1"
    assert small.status_code == 200 and len(small.json()["predictions"]) == 1
