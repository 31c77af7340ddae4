"""Where a new dataset's bytes come from: an uploaded file, or a URL to import.

URLs: ``http(s)://`` is downloaded to a temporary file first (so conversion can re-read it),
reaching only addresses ``url_guard`` allows (see ``http_download``); ``s3://`` and ``gs://``
are read in place through pyarrow.fs with the caller's credentials (see ``object_stores``);
``file://`` only under the configured import root (symlinks resolved).
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

import pyarrow.fs as pafs

from daas.codecs.media import media_type
from daas.errors import Forbidden, InvalidInput, PayloadTooLarge
from daas.platform.datasets.http_download import download
from daas.platform.datasets.ingest import Opener
from daas.platform.datasets.object_stores import (
    ObjectStoreCredentials,
    object_store_file,
)
from daas.platform.datasets.url_guard import AllowList

_CONTENT_TYPES = {
    "text/csv": "csv", "application/csv": "csv",
    "application/vnd.apache.parquet": "parquet", "application/x-parquet": "parquet",
    "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
    "application/jsonlines": "jsonl", "application/x-jsonlines": "jsonl",
}


_OBJECT_STORES = ("s3", "gs", "gcs")


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


@dataclass(frozen=True)
class ImportPolicy:
    """What a URL import may reach, from the settings and the caller's role."""

    import_root: Path | None
    max_bytes: int
    allow: AllowList
    #: Longest an http(s) download may take, however it trickles.
    deadline_s: float
    #: Whether the caller may read s3/gs with the platform's own credentials.
    platform_credentials: bool


@contextmanager
def url_source(url: str, policy: ImportPolicy,
               credentials: ObjectStoreCredentials | None = None) -> Iterator[Source]:
    """The bytes behind ``url``; temporary copies are removed on exit."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        raise InvalidInput("not a valid URL", field="url") from None
    if credentials is not None and scheme not in _OBJECT_STORES:
        raise InvalidInput("credentials are only for s3:// and gs:// imports", field="credentials")
    if scheme in ("http", "https"):
        with _http_source(url, policy) as source:
            yield source
    elif scheme in _OBJECT_STORES:
        yield _object_store_source(url, policy, credentials)
    elif scheme == "file":
        yield _file_source(url, policy.import_root, policy.max_bytes)
    else:
        raise _refuse(public_url(url), "use an http://, https://, s3://, gs:// or file:// URL")


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise PayloadTooLarge(f"the data is {size} bytes; the limit is {max_bytes}",
                              details={"limit": max_bytes})


@contextmanager
def _http_source(url: str, policy: ImportPolicy) -> Iterator[Source]:
    folder = tempfile.mkdtemp(prefix="daas-import-")
    try:
        path = Path(folder) / "data"
        content_type = download(url, path, max_bytes=policy.max_bytes, allow=policy.allow,
                                label=public_url(url), deadline_s=policy.deadline_s)
        yield Source(lambda: path.open("rb"), public_url(url), urlsplit(url).path,
                     path.stat().st_size, format_from_content_type(content_type))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _object_store_source(url: str, policy: ImportPolicy,
                         credentials: ObjectStoreCredentials | None) -> Source:
    try:
        fs, path = object_store_file(url, credentials, allow=policy.allow,
                                     platform_credentials=policy.platform_credentials)
        info = fs.get_file_info(path)
    except (OSError, ValueError) as exc:
        raise _refuse(public_url(url), f"cannot read the object ({type(exc).__name__})") from None
    if info.type != pafs.FileType.File:
        raise _refuse(public_url(url), "no such object")
    _check_size(info.size, policy.max_bytes)
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
