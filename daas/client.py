"""A small typed HTTP client for the DaaS-Deployer REST API.

Every failed call raises a :mod:`daas.errors` type, rebuilt from the API's JSON error
body, so callers handle one hierarchy whether the error happened here or on the server.
Pass ``http=`` to reuse a configured :class:`httpx.Client` (a Starlette ``TestClient``
bound to the FastAPI app works too).
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Literal, TypedDict, overload
from urllib.parse import quote

import httpx

from daas.client_datasets import DatasetsClient
from daas.client_jobs import JobsClient
from daas.errors import (
    BadRequest,
    Conflict,
    DaasError,
    Forbidden,
    InternalError,
    InvalidInput,
    NotFound,
    Overloaded,
    PayloadTooLarge,
    Timeout,
    Unauthenticated,
    Unavailable,
    error_from_body,
)

DEFAULT_URL = "http://127.0.0.1:8000"

#: Called while a file is sent, with (bytes sent so far, total bytes).
ProgressCallback = Callable[[int, int], None]


class ModelVersion(TypedDict):
    name: str
    version: int
    description: str | None
    format: str
    engine: str
    algorithm: str | None
    task: str | None
    filename: str | None
    size: int
    sha256: str
    created: str
    created_by: str | None


class Model(TypedDict):
    name: str
    description: str | None
    created: str
    updated: str
    created_by: str | None
    latest_version: int
    format: str
    task: str | None
    algorithm: str | None
    versions_count: int


class ModelDetail(Model):
    versions: list[ModelVersion]


class ModelPage(TypedDict):
    items: list[Model]
    total: int
    offset: int
    limit: int


class Interval(TypedDict):
    closure: str
    left: float | None
    right: float | None


class Variable(TypedDict, total=False):
    name: str
    dtype: str | None
    optype: str | None
    shape: list[int | str | None] | None
    values: list[Any] | None
    intervals: list[Interval] | None
    required: bool
    feature: str | None
    value: Any


class ModelSchema(TypedDict, total=False):
    format: str
    engine: str
    task: str | None
    algorithm: str | None
    model_element: str | None
    format_version: str | None
    producer: str | None
    inputs: list[Variable]
    targets: list[Variable]
    outputs: list[Variable]
    classes: list[Any] | None
    tabular: bool


class TokenInfo(TypedDict):
    id: int
    name: str
    role: str
    created: str
    created_by: str | None
    last_used: str | None
    revoked: str | None


class NewToken(TokenInfo):
    token: str


class Identity(TypedDict):
    name: str
    role: str


class ServiceSpec(TypedDict, total=False):
    replicas: int | None
    autoscaling: dict[str, Any] | None
    num_cpus: float
    memory: int | None
    num_gpus: float
    max_ongoing_requests: int
    max_queued_requests: int
    batching: dict[str, Any] | None
    timeout_s: float


class Service(TypedDict):
    name: str
    url: str
    model: str
    version: int
    previous_version: int | None
    state: str
    desired: str
    reason: str | None
    spec: ServiceSpec
    replicas_running: int | None
    generation: int
    created: str
    updated: str
    created_by: str | None


class NewService(Service):
    api_key: str


class ServiceEvent(TypedDict):
    created: str
    kind: str
    state: str | None
    message: str


class Replica(TypedDict):
    replica_id: str
    actor_id: str | None
    state: str
    node_id: str | None
    node_ip: str | None
    pid: int | None
    started: float | None
    requests: int | None


class ReplicaLogs(TypedDict):
    replica_id: str
    lines: list[str]


class ServiceLogs(TypedDict):
    replicas: list[ReplicaLogs]


class ServiceMetrics(TypedDict):
    window: str
    summary: dict[str, float | int | None]
    series: list[dict[str, Any]]


class PredictionRequest(TypedDict):
    id: str
    service: str
    status: str
    result: Any
    error: dict[str, Any] | None
    created: str
    started: str | None
    finished: str | None


class PlatformUnreachable(Unavailable):
    """Nothing answers at the platform's URL (not started, wrong address, network down)."""


class ServiceFailed(Unavailable):
    """A service meant to run ended up ``failed``; ``service`` is how it was last seen."""

    def __init__(self, service: Service) -> None:
        reason = service.get("reason") or "no reason given"
        super().__init__(f"service {service['name']!r} failed: {reason}")
        self.service = service


_STATUS_ERRORS: dict[int, type[DaasError]] = {
    400: BadRequest,
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    422: InvalidInput,
    429: Overloaded,
    503: Unavailable,
    504: Timeout,
}


def _error_for_response(response: httpx.Response) -> DaasError:
    """A typed error for a failed response, with or without the API's error envelope."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return error_from_body(response.status_code, body)
    # Not our envelope: a proxy, a load balancer or a framework default page answered.
    if isinstance(body, dict) and "detail" in body:
        message, details = str(body["detail"]), body["detail"]
    else:
        message, details = response.text.strip()[:200] or response.reason_phrase, None
    status = response.status_code
    cls = _STATUS_ERRORS.get(status, InternalError if status >= 500 else BadRequest)
    return cls(f"HTTP {status}: {message}", details=details)


def _request_error(request: PredictionRequest) -> DaasError:
    """The typed error a failed async request recorded."""
    error = request.get("error")
    if isinstance(error, dict) and "message" in error:
        return error_from_body(500, {"error": error})
    return InternalError(f"request {request['id']} failed: {error or 'no reason given'}")


def prediction_body(data: Any) -> dict[str, Any]:
    """The JSON body of a test request: records go under ``data`` unless already wrapped."""
    if isinstance(data, Mapping):
        if "data" in data or "inputs" in data:
            return dict(data)
        return {"data": dict(data)}
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return {"data": list(data)}
    raise TypeError("test data must be a JSON object or a list of records, "
                    f"not {type(data).__name__}")


def _guess_model_filename(name: str, fmt: str | None, head: bytes) -> str:
    if fmt is None:
        fmt = "pmml" if head.lstrip().startswith(b"<") else "onnx"
    return f"{name}.{fmt}"


class _ProgressReader(io.RawIOBase):
    """A read-only view of a binary file that reports how many bytes were read."""

    def __init__(self, raw: IO[bytes], total: int, progress: ProgressCallback) -> None:
        super().__init__()
        self._raw = raw
        self._total = total
        self._progress = progress
        self._done = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        chunk = self._raw.read(size)
        if chunk:
            self._done += len(chunk)
            self._progress(self._done, self._total)
        return chunk

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        position = self._raw.seek(offset, whence)
        self._done = position
        return position

    def tell(self) -> int:
        return self._raw.tell()


def _size_of(raw: IO[bytes]) -> int:
    position = raw.tell()
    size = raw.seek(0, os.SEEK_END)
    raw.seek(position)
    return size


def _filename_from(response: httpx.Response) -> str | None:
    disposition = response.headers.get("content-disposition", "")
    match = re.search(r'filename="?([^";]+)"?', disposition)
    return Path(match.group(1)).name if match else None


class DaasClient(DatasetsClient, JobsClient):
    """Talks to one DaaS-Deployer platform with one API token."""

    def __init__(self, url: str = DEFAULT_URL, token: str | None = None, *,
                 http: httpx.Client | None = None, timeout: float = 300.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(
            timeout=httpx.Timeout(timeout, connect=5.0))

    def close(self) -> None:
        """Close the connection pool, unless it was passed in by the caller."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> DaasClient:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------

    def _send(self, method: str, path: str, *, params: Mapping[str, Any] | None = None,
              stream: bool = False, expected: frozenset[int] = frozenset(),
              token: str | None = None, headers: Mapping[str, str] | None = None,
              **kwargs: Any) -> httpx.Response:
        token = token or self.token
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        query = {key: value for key, value in (params or {}).items() if value is not None}
        request = self._http.build_request(method, self.url + path, params=query,
                                           headers=headers, **kwargs)
        try:
            response = self._http.send(request, stream=stream)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise PlatformUnreachable(
                f"cannot reach the platform at {self.url}: is it running? (`daas up`)") from exc
        except httpx.TimeoutException as exc:
            raise Timeout(f"the platform at {self.url} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise Unavailable(f"connection to the platform at {self.url} failed: {exc}") from exc
        if not (response.is_success or response.status_code in expected):
            response.read()
            response.close()
            raise _error_for_response(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._send(method, path, **kwargs).json()

    @staticmethod
    def _model_path(name: str) -> str:
        return f"/api/v1/models/{quote(name, safe='')}"

    @staticmethod
    def _service_path(name: str) -> str:
        return f"/api/v1/services/{quote(name, safe='')}"

    # -- platform ---------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        """``GET /healthz``: the platform process is up."""
        return self._json("GET", "/healthz")

    def ready(self) -> dict[str, Any]:
        """``GET /readyz``: ``{"status": "ready" | "not ready", "checks": {...}}``."""
        response = self._send("GET", "/readyz", expected=frozenset({503}))
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code == 503 and not (isinstance(body, dict) and "status" in body):
            raise _error_for_response(response)  # a proxy's 503, not the probe's answer
        return body

    def me(self) -> Identity:
        """The name and role of the token in use."""
        return self._json("GET", "/api/v1/auth/me")

    # -- models -----------------------------------------------------------------------

    def upload_model(self, source: str | os.PathLike[str] | bytes, name: str,
                     description: str | None = None, fmt: str | None = None,
                     progress: ProgressCallback | None = None, *,
                     filename: str | None = None) -> ModelVersion:
        """Upload a model file (a path or its bytes) as the next version of ``name``."""
        if isinstance(source, (bytes, bytearray)):
            filename = filename or _guess_model_filename(name, fmt, bytes(source[:64]))
            return self._upload(io.BytesIO(source), filename, name, description, fmt, progress)
        path = Path(source)
        with path.open("rb") as raw:
            return self._upload(raw, filename or path.name, name, description, fmt, progress)

    def _upload(self, raw: IO[bytes], filename: str, name: str, description: str | None,
                fmt: str | None, progress: ProgressCallback | None) -> ModelVersion:
        body: IO[bytes] = raw
        if progress is not None:
            body = _ProgressReader(raw, _size_of(raw), progress)
        form = {"name": name, "description": description, "format": fmt}
        return self._json(
            "POST", "/api/v1/models",
            data={key: value for key, value in form.items() if value is not None},
            files={"file": (filename, body, "application/octet-stream")},
        )

    def list_models(self, q: str | None = None, *, fmt: str | None = None,
                    task: str | None = None, offset: int = 0, limit: int = 50) -> ModelPage:
        """One page of models, optionally filtered by text, format and task."""
        params = {"q": q, "format": fmt, "task": task, "offset": offset, "limit": limit}
        return self._json("GET", "/api/v1/models", params=params)

    def get_model(self, name: str) -> ModelDetail:
        """A model's overview with all its versions."""
        return self._json("GET", self._model_path(name))

    def versions(self, name: str) -> list[ModelVersion]:
        """All versions of a model, newest first."""
        return self._json("GET", f"{self._model_path(name)}/versions")

    def version(self, name: str, version: int) -> ModelVersion:
        """One version of a model."""
        return self._json("GET", f"{self._model_path(name)}/versions/{version}")

    def schema(self, name: str, version: int | None = None) -> ModelSchema:
        """What a model version expects (inputs) and returns (targets, outputs)."""
        return self._json("GET", f"{self._model_path(name)}/schema", params={"version": version})

    @overload
    def test(self, name: str, payload: Any, *, version: int | None = ...,
             csv: Literal[False] = ...) -> dict[str, Any]: ...

    @overload
    def test(self, name: str, payload: Any, *, version: int | None = ...,
             csv: Literal[True]) -> str: ...

    def test(self, name: str, payload: Any, *, version: int | None = None,
             csv: bool = False) -> dict[str, Any] | str:
        """Score records with a model without deploying it.

        ``payload`` is a ``Path`` to a CSV or JSON file (sent as an upload), or JSON data: a list
        of records, one record, or a body already shaped ``{"data": ...}``/``{"inputs": ...}``.
        With ``csv=True`` the predictions come back as CSV text.
        """
        path = f"{self._model_path(name)}/test"
        params = {"version": version, "format": "csv" if csv else None}
        if isinstance(payload, os.PathLike):
            file_path = Path(payload)
            with file_path.open("rb") as raw:
                response = self._send("POST", path, params=params,
                                      files={"file": (file_path.name, raw)})
        else:
            response = self._send("POST", path, params=params, json=prediction_body(payload))
        return response.text if csv else response.json()

    def download(self, name: str, version: int) -> bytes:
        """The bytes of a stored model version."""
        return self._send("GET", f"{self._model_path(name)}/versions/{version}/download").content

    def download_to(self, name: str, version: int, dest: str | os.PathLike[str]) -> Path:
        """Stream a model version into ``dest`` (a file, or a folder to put it in)."""
        target = Path(dest)
        response = self._send("GET", f"{self._model_path(name)}/versions/{version}/download",
                              stream=True)
        try:
            if target.is_dir():
                target = target / (_filename_from(response) or f"{name}-v{version}")
            partial = target.with_name(target.name + ".part")
            with partial.open("wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
            partial.replace(target)
        finally:
            response.close()
        return target

    def delete_version(self, name: str, version: int) -> None:
        """Delete one version of a model."""
        self._send("DELETE", f"{self._model_path(name)}/versions/{version}")

    def delete_model(self, name: str) -> None:
        """Delete a model and all its versions."""
        self._send("DELETE", self._model_path(name))

    # -- tokens -----------------------------------------------------------------------

    def create_token(self, name: str, role: str) -> NewToken:
        """Create an API token; the secret is only returned this once."""
        return self._json("POST", "/api/v1/tokens", json={"name": name, "role": role})

    def list_tokens(self) -> list[TokenInfo]:
        """All API tokens, without their secrets."""
        return self._json("GET", "/api/v1/tokens")

    def revoke_token(self, token_id: int) -> None:
        """Revoke an API token; requests using it fail from now on."""
        self._send("DELETE", f"/api/v1/tokens/{quote(str(token_id), safe='')}")

    # -- services ---------------------------------------------------------------------

    def create_service(self, form: Mapping[str, Any]) -> NewService:
        """Deploy a model version as a service from the deploy form (unset fields omitted).

        The answer carries the service's ``api_key``, returned only this once.
        """
        body = {key: value for key, value in form.items() if value is not None}
        return self._json("POST", "/api/v1/services", json=body)

    def deploy_service(self, name: str, model: str, **form: Any) -> NewService:
        """:meth:`create_service` with the form as keyword arguments."""
        return self.create_service({"name": name, "model": model, **form})

    def list_services(self) -> list[Service]:
        """Every service, by name."""
        return self._json("GET", "/api/v1/services")

    def get_service(self, name: str) -> Service:
        """One service: its spec, desired and observed state."""
        return self._json("GET", self._service_path(name))

    def update_service(self, name: str, **changes: Any) -> Service:
        """Change resources, replicas or the model ``version``: a rolling update."""
        body = {key: value for key, value in changes.items() if value is not None}
        return self._json("PATCH", self._service_path(name), json=body)

    def pause_service(self, name: str) -> Service:
        """Remove the service's replicas but keep the service and its URL."""
        return self._json("POST", f"{self._service_path(name)}/pause")

    def resume_service(self, name: str) -> Service:
        """Bring a paused service back."""
        return self._json("POST", f"{self._service_path(name)}/resume")

    def rollback_service(self, name: str) -> Service:
        """Switch back to the model version served before the last switch."""
        return self._json("POST", f"{self._service_path(name)}/rollback")

    def delete_service(self, name: str) -> Service:
        """Start deleting a service; it is gone (404) once its replicas are."""
        return self._json("DELETE", self._service_path(name))

    def rotate_service_key(self, name: str) -> str:
        """Issue a new API key for a service; the old one stops working."""
        return self._json("POST", f"{self._service_path(name)}/key")["api_key"]

    def service_events(self, name: str, limit: int | None = None) -> list[ServiceEvent]:
        """What happened to a service, newest first."""
        return self._json("GET", f"{self._service_path(name)}/events", params={"limit": limit})

    def service_replicas(self, name: str) -> list[Replica]:
        """The replicas serving a service now."""
        return self._json("GET", f"{self._service_path(name)}/replicas")

    def restart_replica(self, name: str, replica_id: str) -> dict[str, Any]:
        """Ask for one replica to be replaced by a fresh one."""
        return self._json(
            "POST", f"{self._service_path(name)}/replicas/{quote(replica_id, safe='')}/restart")

    def service_logs(self, name: str, tail: int | None = None) -> ServiceLogs:
        """The last ``tail`` log lines of each replica."""
        return self._json("GET", f"{self._service_path(name)}/logs", params={"tail": tail})

    def service_metrics(self, name: str, window: str = "minute") -> ServiceMetrics:
        """Requests, errors and latency over the last ``minute`` or ``hour``."""
        return self._json("GET", f"{self._service_path(name)}/metrics", params={"window": window})

    def service_snippets(self, name: str) -> dict[str, str]:
        """Ready-to-run examples calling the service: ``curl``, ``python``, ``serve_handle``."""
        return self._json("GET", f"{self._service_path(name)}/snippets")

    def wait_for_service(self, name: str, states: Sequence[str] = ("running",), *,
                         timeout: float = 600.0, interval: float = 1.0,
                         on_poll: Callable[[Service], None] | None = None,
                         sleep: Callable[[float], None] = time.sleep) -> Service:
        """Poll a service until its state is one of ``states``, and return it.

        Raises :class:`ServiceFailed` when a service meant to run fails, and
        :class:`~daas.errors.Timeout` when ``timeout`` seconds pass first.
        """
        deadline = time.monotonic() + timeout
        while True:
            service = self.get_service(name)
            if on_poll is not None:
                on_poll(service)
            if service["state"] in states:
                return service
            if service["state"] == "failed" and service.get("desired") == "running":
                raise ServiceFailed(service)
            if time.monotonic() >= deadline:
                reason = f": {service['reason']}" if service.get("reason") else ""
                raise Timeout(f"service {name!r} is still {service['state']} after "
                              f"{timeout:g} s{reason}", details={"state": service["state"]})
            sleep(interval)

    def wait_until_deleted(self, name: str, *, timeout: float = 600.0, interval: float = 1.0,
                           on_poll: Callable[[Service], None] | None = None,
                           sleep: Callable[[float], None] = time.sleep) -> None:
        """Poll a service being deleted until the platform no longer knows it."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                service = self.get_service(name)
            except NotFound:
                return
            if on_poll is not None:
                on_poll(service)
            if time.monotonic() >= deadline:
                raise Timeout(f"service {name!r} is still {service['state']} after {timeout:g} s")
            sleep(interval)

    # -- calling services -------------------------------------------------------------

    def predict(self, service: str, payload: Any, *, csv: bool = False,
                mode: Literal["sync", "async"] = "sync",
                api_key: str | None = None) -> Any:
        """Score records with a deployed service.

        ``payload`` is JSON data (records, one record, or ``{"data"|"inputs": ...}``) or a
        ``Path``: a ``.csv`` file is sent as CSV, anything else is read as JSON. With
        ``csv=True`` the predictions come back as CSV text. ``mode="async"`` queues the
        request and returns ``{"id", "status", "status_url"}`` for :meth:`get_request`.
        ``api_key`` is the service's own key (default: this client's token).
        """
        if mode not in ("sync", "async"):
            raise ValueError(f"mode must be 'sync' or 'async', not {mode!r}")
        path = f"/api/v1/svc/{quote(service, safe='')}/predict"
        params = {"format": "csv" if csv else None, "mode": "async" if mode == "async" else None}
        if isinstance(payload, os.PathLike):
            file_path = Path(payload)
            if file_path.suffix.lower() == ".csv":
                response = self._send("POST", path, params=params, token=api_key,
                                      content=file_path.read_bytes(),
                                      headers={"Content-Type": "text/csv"})
            else:
                data = json.loads(file_path.read_text(encoding="utf-8"))
                response = self._send("POST", path, params=params, token=api_key,
                                      json=prediction_body(data))
        else:
            response = self._send("POST", path, params=params, token=api_key,
                                  json=prediction_body(payload))
        if csv and mode == "sync":
            return response.text
        return response.json()

    def get_request(self, request_id: str) -> PredictionRequest:
        """An async prediction request: its status, and its result once finished.

        Asked with the client's platform token (a service's own key cannot read requests).
        """
        return self._json("GET", f"/api/v1/requests/{quote(request_id, safe='')}")

    def wait_for_request(self, request_id: str, *, timeout: float = 600.0,
                         interval: float = 0.5,
                         on_poll: Callable[[PredictionRequest], None] | None = None,
                         sleep: Callable[[float], None] = time.sleep) -> PredictionRequest:
        """Poll an async request until it succeeded (returned) or failed (its error raised)."""
        deadline = time.monotonic() + timeout
        while True:
            request = self.get_request(request_id)
            if on_poll is not None:
                on_poll(request)
            if request["status"] == "succeeded":
                return request
            if request["status"] == "failed":
                raise _request_error(request)
            if time.monotonic() >= deadline:
                raise Timeout(f"request {request_id} is still {request['status']} after "
                              f"{timeout:g} s")
            sleep(interval)
