"""Calling deployed services: sync and async predictions and the async requests' results."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from daas.client.polling import poll_until
from daas.client.transport import Transport
from daas.client.types import PredictionRequest
from daas.errors import DaasError, InternalError, Timeout, error_from_body


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


def _request_error(request: PredictionRequest) -> DaasError:
    """The typed error a failed async request recorded."""
    error = request.get("error")
    if isinstance(error, dict) and "message" in error:
        return error_from_body(500, {"error": error})
    return InternalError(f"request {request['id']} failed: {error or 'no reason given'}")


def _finished(request: PredictionRequest) -> bool:
    """Whether an async request succeeded; a failed one raises its error."""
    if request["status"] == "failed":
        raise _request_error(request)
    return request["status"] == "succeeded"


class PredictionsClient(Transport):
    """Score records with deployed services, at once or through the async request queue."""

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

    def get_request(self, request_id: str, *, group: str | None = None) -> PredictionRequest:
        """An async prediction request: its status, and its result once finished.

        Asked with the client's platform token (a service's own key cannot read requests);
        ``group`` is sent along like on every object call.
        """
        return self._json("GET", f"/api/v1/requests/{quote(request_id, safe='')}",
                          params=self._in_group(group))

    def wait_for_request(self, request_id: str, *, timeout: float = 600.0,
                         interval: float = 0.5,
                         on_poll: Callable[[PredictionRequest], None] | None = None,
                         sleep: Callable[[float], None] = time.sleep,
                         group: str | None = None) -> PredictionRequest:
        """Poll an async request until it succeeded (returned) or failed (its error raised)."""
        return poll_until(
            lambda: self.get_request(request_id, group=group), _finished, timeout=timeout,
            interval=interval, on_poll=on_poll, sleep=sleep,
            timed_out=lambda request: Timeout(
                f"request {request_id} is still {request['status']} after {timeout:g} s"))
