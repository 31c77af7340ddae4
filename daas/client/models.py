"""Models: upload versions, list and inspect them, try them out, download and delete them."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import IO, Any, Literal, overload
from urllib.parse import quote

import httpx

from daas.client.predictions import prediction_body
from daas.client.transport import Transport
from daas.client.types import (
    ModelDetail,
    ModelPage,
    ModelSchema,
    ModelVersion,
    ProgressCallback,
)


def model_path(name: str) -> str:
    """The API path of a model."""
    return f"/api/v1/models/{quote(name, safe='')}"


def _guess_model_filename(name: str, fmt: str | None, head: bytes) -> str:
    if fmt is None:
        fmt = "pmml" if head.lstrip().startswith(b"<") else "onnx"
    return f"{name}.{fmt}"


def _filename_from(response: httpx.Response) -> str | None:
    disposition = response.headers.get("content-disposition", "")
    match = re.search(r'filename="?([^";]+)"?', disposition)
    return Path(match.group(1)).name if match else None


class ModelsClient(Transport):
    """Upload, list, inspect, test, download and delete models and their versions.

    Every method takes ``group``: the group the model is in (default: the client's group,
    else the caller's default group).
    """

    def upload_model(self, source: str | os.PathLike[str] | bytes, name: str,
                     description: str | None = None, fmt: str | None = None,
                     progress: ProgressCallback | None = None, *,
                     filename: str | None = None, group: str | None = None) -> ModelVersion:
        """Upload a model file (a path or its bytes) as the next version of ``name``."""
        if isinstance(source, (bytes, bytearray)):
            filename = filename or _guess_model_filename(name, fmt, bytes(source[:64]))
            return self._upload(io.BytesIO(source), filename, name, description, fmt, progress,
                                group)
        path = Path(source)
        with path.open("rb") as raw:
            return self._upload(raw, filename or path.name, name, description, fmt, progress,
                                group)

    def _upload(self, raw: IO[bytes], filename: str, name: str, description: str | None,
                fmt: str | None, progress: ProgressCallback | None,
                group: str | None) -> ModelVersion:
        form = {"name": name, "description": description, "format": fmt}
        return self._post_file("/api/v1/models", raw, filename, form, progress,
                               params=self._in_group(group))

    def list_models(self, q: str | None = None, *, fmt: str | None = None,
                    task: str | None = None, offset: int = 0, limit: int = 50,
                    group: str | None = None) -> ModelPage:
        """One page of models, optionally filtered by text, format and task.

        Without a group (here or on the client) the models of every group the caller may
        read are listed.
        """
        params = {"q": q, "format": fmt, "task": task, "offset": offset, "limit": limit}
        return self._json("GET", "/api/v1/models", params=self._in_group(group, params))

    def get_model(self, name: str, *, group: str | None = None) -> ModelDetail:
        """A model's overview with all its versions."""
        return self._json("GET", model_path(name), params=self._in_group(group))

    def versions(self, name: str, *, group: str | None = None) -> list[ModelVersion]:
        """All versions of a model, newest first."""
        return self._json("GET", f"{model_path(name)}/versions", params=self._in_group(group))

    def version(self, name: str, version: int, *, group: str | None = None) -> ModelVersion:
        """One version of a model."""
        return self._json("GET", f"{model_path(name)}/versions/{version}",
                          params=self._in_group(group))

    def schema(self, name: str, version: int | None = None, *,
               group: str | None = None) -> ModelSchema:
        """What a model version expects (inputs) and returns (targets, outputs)."""
        return self._json("GET", f"{model_path(name)}/schema",
                          params=self._in_group(group, {"version": version}))

    @overload
    def test(self, name: str, payload: Any, *, version: int | None = ...,
             csv: Literal[False] = ..., group: str | None = ...) -> dict[str, Any]: ...

    @overload
    def test(self, name: str, payload: Any, *, version: int | None = ...,
             csv: Literal[True], group: str | None = ...) -> str: ...

    def test(self, name: str, payload: Any, *, version: int | None = None,
             csv: bool = False, group: str | None = None) -> dict[str, Any] | str:
        """Score records with a model without deploying it.

        ``payload`` is a ``Path`` to a CSV or JSON file (sent as an upload), or JSON data: a list
        of records, one record, or a body already shaped ``{"data": ...}``/``{"inputs": ...}``.
        With ``csv=True`` the predictions come back as CSV text.
        """
        path = f"{model_path(name)}/test"
        params = self._in_group(group, {"version": version, "format": "csv" if csv else None})
        if isinstance(payload, os.PathLike):
            file_path = Path(payload)
            with file_path.open("rb") as raw:
                response = self._send("POST", path, params=params,
                                      files={"file": (file_path.name, raw)})
        else:
            response = self._send("POST", path, params=params, json=prediction_body(payload))
        return response.text if csv else response.json()

    def download(self, name: str, version: int, *, group: str | None = None) -> bytes:
        """The bytes of a stored model version."""
        return self._send("GET", f"{model_path(name)}/versions/{version}/download",
                          params=self._in_group(group)).content

    def download_to(self, name: str, version: int, dest: str | os.PathLike[str], *,
                    group: str | None = None) -> Path:
        """Stream a model version into ``dest`` (a file, or a folder to put it in)."""
        target = Path(dest)
        response = self._send("GET", f"{model_path(name)}/versions/{version}/download",
                              params=self._in_group(group), stream=True)
        if target.is_dir():
            target = target / (_filename_from(response) or f"{name}-v{version}")
        return self._save(response, target)

    def delete_version(self, name: str, version: int, *, group: str | None = None) -> None:
        """Delete one version of a model."""
        self._send("DELETE", f"{model_path(name)}/versions/{version}",
                   params=self._in_group(group))

    def delete_model(self, name: str, *, group: str | None = None) -> None:
        """Delete a model and all its versions."""
        self._send("DELETE", model_path(name), params=self._in_group(group))
