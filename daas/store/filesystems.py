"""Storage URI -> a pyarrow file system and the root path inside it.

S3 takes its endpoint and region from the environment of the process that reads, so a
replica or batch actor on any node finds the same bucket with no secret passed along:
``DAAS_S3_ENDPOINT_URL`` / ``DAAS_S3_REGION`` override the standard ``AWS_ENDPOINT_URL``
(or ``AWS_ENDPOINT_URL_S3``) and ``AWS_REGION`` (or ``AWS_DEFAULT_REGION``); the keys come
from the AWS credential chain (``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, profiles,
instance roles). Addressing is path-style, which S3-compatible servers (MinIO, Ceph) need.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.fs as pafs

ENDPOINT_VARIABLES = ("DAAS_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
REGION_VARIABLES = ("DAAS_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION")


def open_filesystem(uri: str) -> tuple[pafs.FileSystem, str]:
    """The file system holding ``uri`` and the path of ``uri`` inside it."""
    if uri.startswith("s3://"):
        return _s3(uri)
    if "://" in uri:
        return pafs.FileSystem.from_uri(uri)
    return pafs.LocalFileSystem(), str(Path(uri).expanduser().resolve())


def _s3(uri: str) -> tuple[pafs.FileSystem, str]:
    parts = urlsplit(uri)
    root = f"{parts.netloc}/{parts.path.strip('/')}".rstrip("/")
    options: dict[str, object] = {"force_virtual_addressing": False}
    region = _first_set(REGION_VARIABLES)
    if region:
        options["region"] = region
    endpoint = _first_set(ENDPOINT_VARIABLES)
    if endpoint:
        address = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        options.update(scheme=address.scheme or "https", endpoint_override=address.netloc)
        # Off AWS nothing answers the instance-metadata probe; each probe costs a timeout.
        os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    return pafs.S3FileSystem(**options), root


def _first_set(names: tuple[str, ...]) -> str | None:
    return next((os.environ[name] for name in names if os.environ.get(name)), None)
