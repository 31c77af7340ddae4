"""Where a new dataset's bytes come from: an uploaded file, or a URL to import.

URLs: ``http(s)://`` is downloaded to a temporary file first (so conversion can re-read it),
``s3://`` and ``gs://`` are read in place through pyarrow.fs with the platform's
credentials, and ``file://`` only under the configured import root (symlinks resolved).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import httpx
import pyarrow.fs as pafs

from daas.codecs.media import media_type
from daas.errors import Forbidden, InvalidInput, PayloadTooLarge
from daas.platform.datasets.ingest import Opener

_CONTENT_TYPES = {
    "text/csv": "csv", "application/csv": "csv",
    "application/vnd.apache.parquet": "parquet", "application/x-parquet": "parquet",
    "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl", "application/x-jsonlines": "jsonl",
}
_DOWNLOAD_CHUNK = 1024 * 1024


@dataclass
class Source:
    """Re-openable input bytes plus what is known about them."""

    open: Opener
    #: Where it came from, as recorded on the dataset: ``upload:<file>`` or the URL.
    label: str
    #: A file name or URL path whose extension may tell the format.
    name: str | None = None
    size: int | None = None
    #: The format a Content-Type header implied, if any.
    content_format: str | None = None


def format_from_content_type(content_type: str | None) -> str | None:
    """``csv``, ``parquet`` or ``jsonl`` for a media type that says so."""
    return _CONTENT_TYPES.get(media_type(content_type))


def upload_source(file: BinaryIO, filename: str | None, content_type: str | None = None) -> Source:
    """A seekable uploaded file (the caller keeps it open until conversion ends)."""
    size = file.seek(0, os.SEEK_END)

    @contextmanager
    def reopen() -> Iterator[BinaryIO]:
        file.seek(0)
        yield file

    name = Path(filename).name if filename else None
    return Source(reopen, f"upload:{name or '-'}", name, size, format_from_content_type(content_type))


def _refuse(url: str, reason: str) -> InvalidInput:
    return InvalidInput(f"cannot import {url}: {reason}", field="url")


def public_url(url: str) -> str:
    """The URL as recorded and shown: without user info and query (they may hold secrets)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{host}{parts.path}"


@contextmanager
def url_source(url: str, *, import_root: Path | None, max_bytes: int) -> Iterator[Source]:
    """The bytes behind ``url``; temporary copies are removed on exit."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https"):
        with _http_source(url, max_bytes) as source:
            yield source
    elif scheme in ("s3", "gs", "gcs"):
        yield _object_store_source(url, max_bytes)
    elif scheme == "file":
        yield _file_source(url, import_root, max_bytes)
    else:
        raise _refuse(url, "use an http://, https://, s3://, gs:// or file:// URL")


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise PayloadTooLarge(f"the data is {size} bytes; the limit is {max_bytes}",
                              details={"limit": max_bytes})


@contextmanager
def _http_source(url: str, max_bytes: int) -> Iterator[Source]:
    folder = tempfile.mkdtemp(prefix="daas-import-")
    try:
        path = Path(folder) / "data"
        content_type = _download(url, path, max_bytes)
        yield Source(lambda: path.open("rb"), public_url(url), urlsplit(url).path,
                     path.stat().st_size, format_from_content_type(content_type))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _download(url: str, target: Path, max_bytes: int) -> str | None:
    """Stream ``url`` into ``target``; returns the response's Content-Type."""
    timeout = httpx.Timeout(60.0, connect=10.0)
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=timeout) as response:
            if response.status_code >= 400:
                raise _refuse(public_url(url), f"the server answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit():
                _check_size(int(declared), max_bytes)
            written = 0
            with target.open("wb") as out:
                for chunk in response.iter_bytes(_DOWNLOAD_CHUNK):
                    written += len(chunk)
                    _check_size(written, max_bytes)
                    out.write(chunk)
            return response.headers.get("content-type")
    except httpx.HTTPError as exc:
        raise _refuse(public_url(url), f"download failed ({type(exc).__name__}: {exc})") from None


def _object_store_source(url: str, max_bytes: int) -> Source:
    try:
        fs, path = pafs.FileSystem.from_uri(url)
        info = fs.get_file_info(path)
    except (OSError, ValueError) as exc:
        raise _refuse(public_url(url), str(exc)) from None
    if info.type != pafs.FileType.File:
        raise _refuse(public_url(url), "no such object")
    _check_size(info.size, max_bytes)
    return Source(lambda: fs.open_input_file(path), public_url(url), path, info.size)


def _file_source(url: str, import_root: Path | None, max_bytes: int) -> Source:
    if import_root is None:
        raise Forbidden("file:// imports are disabled on this platform; an administrator can "
                        "allow a folder with DAAS_DATASET_IMPORT_ROOT")
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise _refuse(url, "a file:// URL must name a local path (file:///path/to/data.csv)")
    path = Path(unquote(parts.path)).resolve()
    root = Path(import_root).expanduser().resolve()
    if not path.is_relative_to(root):
        raise Forbidden(f"{url} is outside the folder allowed for imports "
                        "(DAAS_DATASET_IMPORT_ROOT)")
    if not path.is_file():
        raise _refuse(url, "no such file")
    size = path.stat().st_size
    _check_size(size, max_bytes)
    return Source(lambda: path.open("rb"), f"file://{path}", path.name, size)
