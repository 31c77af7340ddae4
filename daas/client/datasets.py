"""Datasets: upload, import, list, inspect, preview, download and delete them."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO
from urllib.parse import quote

from daas.client.transport import Transport, without_none
from daas.client.types import Dataset, DatasetPage, DatasetPreview, ProgressCallback


def dataset_path(name: str) -> str:
    """The API path of a dataset."""
    return f"/api/v1/datasets/{quote(name, safe='')}"


class DatasetsClient(Transport):
    """Upload, import, list, inspect, preview, download and delete datasets.

    Every method takes ``group``: the group the dataset is in (default: the client's group,
    else the caller's default group).
    """

    def upload_dataset(self, source: str | os.PathLike[str] | bytes, name: str,
                       fmt: str | None = None, progress: ProgressCallback | None = None, *,
                       filename: str | None = None, group: str | None = None) -> Dataset:
        """Upload a CSV, Parquet or JSON-lines file (a path or its bytes) as dataset ``name``.

        The format comes from ``fmt``, else the file name's extension. ``progress`` is called
        with (bytes sent, total bytes) while the file is sent.
        """
        if isinstance(source, (bytes, bytearray)):
            if filename is None and fmt is None:
                raise ValueError("give fmt or filename when uploading bytes")
            return self._upload_dataset(io.BytesIO(source), filename or f"{name}.{fmt}", name,
                                        fmt, progress, group)
        path = Path(source)
        with path.open("rb") as raw:
            return self._upload_dataset(raw, filename or path.name, name, fmt, progress, group)

    def _upload_dataset(self, raw: IO[bytes], filename: str, name: str, fmt: str | None,
                        progress: ProgressCallback | None, group: str | None) -> Dataset:
        form = {"name": name, "format": fmt}
        return self._post_file("/api/v1/datasets", raw, filename, form, progress,
                               params=self._in_group(group))

    def import_dataset(self, name: str, url: str, fmt: str | None = None, *,
                       group: str | None = None) -> Dataset:
        """Have the platform fetch ``url`` (http(s), s3, gs, or file:// under its import root)."""
        body = {"name": name, "url": url, "format": fmt}
        return self._json("POST", "/api/v1/datasets/import", params=self._in_group(group),
                          json=without_none(body))

    def list_datasets(self, q: str | None = None, *, offset: int = 0,
                      limit: int = 50, group: str | None = None) -> DatasetPage:
        """One page of datasets, newest first, optionally filtered by name or source.

        Without a group the datasets of every group the caller may read are listed.
        """
        return self._json("GET", "/api/v1/datasets", params=self._in_group(
            group, {"q": q, "offset": offset, "limit": limit}))

    def get_dataset(self, name: str, *, group: str | None = None) -> Dataset:
        """A dataset's origin, size, rows and columns."""
        return self._json("GET", dataset_path(name), params=self._in_group(group))

    def preview_dataset(self, name: str, rows: int = 20, *,
                        group: str | None = None) -> DatasetPreview:
        """The first ``rows`` rows of a dataset."""
        return self._json("GET", f"{dataset_path(name)}/preview",
                          params=self._in_group(group, {"rows": rows}))

    def download_dataset_to(self, name: str, dest: str | os.PathLike[str],
                            fmt: str = "csv", *, group: str | None = None) -> Path:
        """Stream a dataset as CSV or Parquet into ``dest`` (a file, or a folder to put it in)."""
        target = Path(dest)
        if target.is_dir():
            target = target / f"{name}.{fmt}"
        response = self._send("GET", f"{dataset_path(name)}/download",
                              params=self._in_group(group, {"format": fmt}), stream=True)
        return self._save(response, target)

    def delete_dataset(self, name: str, *, group: str | None = None) -> None:
        """Delete a dataset and its files."""
        self._send("DELETE", dataset_path(name), params=self._in_group(group))
