"""Small helpers for tests against the live platform (real Ray, real HTTP)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx


def api(live) -> httpx.Client:
    """An admin HTTP client for the live platform."""
    return httpx.Client(base_url=live.url, headers=live.headers, timeout=120)


def upload(live, name: str, path: Path) -> dict:
    """Upload a model file; returns the new version."""
    with api(live) as http:
        response = http.post("/api/v1/models", files={"file": (path.name, path.read_bytes())},
                             data={"name": name})
    assert response.status_code == 201, response.text
    return response.json()


def deploy(live, name: str, model: str, **form) -> dict:
    """Deploy ``model`` as service ``name`` (0.25 CPU unless ``form`` says otherwise)."""
    with api(live) as http:
        response = http.post("/api/v1/services", json={"name": name, "model": model, "num_cpus": 0.25,
                                                       **form})
    assert response.status_code == 201, response.text
    return response.json()


def predict_url(live, name: str) -> str:
    """The REST prediction URL of service ``name``."""
    return f"{live.url}/api/v1/svc/{name}/predict"


def wait_for_state(live, service: str, state: str = "running", timeout_s: float = 90) -> dict:
    """Poll a service until it reaches ``state``; fail with its last answer otherwise."""
    deadline = time.monotonic() + timeout_s
    last: dict = {}
    with api(live) as http:
        while time.monotonic() < deadline:
            response = http.get(f"/api/v1/services/{service}")
            last = response.json() if response.status_code == 200 else {"status": response.status_code}
            if last.get("state") == state or (state == "gone" and response.status_code == 404):
                return last
            if last.get("state") == "failed" and state != "failed":
                raise AssertionError(f"service {service} failed: {last.get('reason')}")
            time.sleep(0.5)
    raise AssertionError(f"service {service} did not reach {state} in {timeout_s}s: {last}")


def wait_until_answers(url: str, headers: dict, body: dict, timeout_s: float = 60) -> httpx.Response:
    """POST until a 200 comes back (routes take a moment to appear in the proxy)."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        try:
            last = httpx.post(url, json=body, headers=headers, timeout=30)
            if last.status_code == 200:
                return last
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} never answered 200: {last.status_code if last else None} {last.text if last else ''}")


class RequestStream:
    """Sends requests one after another in a thread and keeps every status code."""

    def __init__(self, url: str, headers: dict, body: dict) -> None:
        self.url, self.headers, self.body = url, headers, body
        self.codes: list[int] = []
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RequestStream:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def _run(self) -> None:
        with httpx.Client(headers=self.headers, timeout=30) as http:
            while not self._stop.is_set():
                try:
                    response = http.post(self.url, json=self.body)
                    self.codes.append(response.status_code)
                    if response.status_code != 200:
                        self.failures.append(f"{response.status_code}: {response.text[:200]}")
                except httpx.HTTPError as exc:
                    self.codes.append(0)
                    self.failures.append(f"{type(exc).__name__}: {exc}")
