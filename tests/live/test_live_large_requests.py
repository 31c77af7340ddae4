"""The management API keeps answering while the model worker decodes a 64 MiB test request."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from tests.model_factory import iris_classifier_onnx
from tests.platform.test_large_requests import csv_of

pytestmark = pytest.mark.ray

#: More uploads held open by slow clients than a Serve replica takes by default (5).
SLOW_UPLOADS = 12


def test_the_api_answers_while_a_64_mib_test_request_is_decoded(live_platform, tmp_path):
    headers = live_platform.headers
    with open(iris_classifier_onnx(tmp_path).path, "rb") as file:
        uploaded = httpx.post(f"{live_platform.url}/api/v1/models", headers=headers,
                              data={"name": "iris-large"}, files={"file": ("iris.onnx", file)},
                              timeout=120)
    assert uploaded.status_code == 201, uploaded.text
    body = csv_of(live_platform.settings.max_request_bytes - 1024)
    outcome = {}

    def big_request():
        outcome["response"] = httpx.post(
            f"{live_platform.url}/api/v1/models/iris-large/test", content=body, timeout=600,
            headers={**headers, "Content-Type": "text/csv"})

    sender = threading.Thread(target=big_request)
    sender.start()
    time.sleep(2)  # the body is sent and being decoded
    waits = []
    with httpx.Client(base_url=live_platform.url, headers=headers, timeout=30) as client:
        while sender.is_alive():
            for path in ("/healthz", "/api/v1/models"):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                waits.append(time.perf_counter() - started)
            time.sleep(0.05)
    sender.join()
    refused = outcome["response"]
    assert refused.status_code == 422, refused.text[:300]
    assert refused.json()["error"]["details"]["field"] == "petal_width"
    # Before the worker decoded them, every call waited for seconds; a 2-core machine still
    # shows a rare scheduling hiccup, hence the 99th percentile and a looser worst case.
    waits.sort()
    p99, slowest = waits[int(len(waits) * 0.99)], waits[-1]
    assert len(waits) >= 10 and p99 < 0.2 and slowest < 0.5, \
        f"{len(waits)} calls: p99 {p99:.3f} s, slowest {slowest:.3f} s"


def _slow_upload(url: str, token: str, stop: threading.Event) -> None:
    """A dataset upload that sends its first 64 kB (past HAProxy's request buffer), then a
    line every 0.2 s until ``stop``, and is then abandoned."""
    address = httpx.URL(url)
    with socket.create_connection((address.host, address.port)) as sock:
        sock.sendall(f"POST /api/v1/datasets HTTP/1.1\r\nHost: {address.host}\r\n"
                     f"Authorization: Bearer {token}\r\nContent-Length: {64 * 1024 * 1024}\r\n"
                     "Content-Type: multipart/form-data; boundary=cut\r\n\r\n".encode())
        sock.sendall(b'--cut\r\nContent-Disposition: form-data; name="file"; filename="d.csv"\r\n'
                     b"\r\nn\n" + b"1\n" * 32 * 1024)
        while not stop.wait(0.2):
            sock.sendall(b"1\n")


def test_the_api_answers_while_slow_clients_hold_many_uploads_open(live_platform):
    stop = threading.Event()
    caller = (live_platform.url, live_platform.admin_token, stop)
    uploads = [threading.Thread(target=_slow_upload, args=caller) for _ in range(SLOW_UPLOADS)]
    try:
        for upload in uploads:
            upload.start()
        time.sleep(2)  # every upload is being read by the API
        # With Serve's default of 5 calls per replica this waited for the uploads to end.
        listed = httpx.get(f"{live_platform.url}/api/v1/datasets", headers=live_platform.headers,
                           timeout=10)
        assert all(upload.is_alive() for upload in uploads)
    finally:
        stop.set()
        for upload in uploads:
            upload.join()
    assert listed.status_code == 200, listed.text
