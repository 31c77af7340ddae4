"""``s3://`` and ``gs://`` imports, read with the caller's credentials.

An import names its own credentials (or ``anonymous`` for a public bucket). The platform's
own credentials (its environment, config files, instance role) are used only for a caller
whose role ``DAAS_DATASET_IMPORT_PLATFORM_CREDENTIALS`` names (default: admin), since they
may open buckets the caller could not. A custom endpoint is checked like an http(s) import
and, over plain http, connected to by its checked address. Options in the URL's query
(pyarrow would honour ``?endpoint_override=``) are refused.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote, urlsplit

import httpx
import pyarrow.fs as pafs
from pydantic import BaseModel, Field, SecretStr

from daas.errors import Forbidden, InvalidInput
from daas.platform.datasets.url_guard import AllowList, checked_address

PLATFORM_CREDENTIALS_SETTING = "DAAS_DATASET_IMPORT_PLATFORM_CREDENTIALS"
_GCS_TOKEN_LIFETIME = timedelta(hours=1)
_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]")


class ObjectStoreCredentials(BaseModel):
    """Credentials for an ``s3://`` or ``gs://`` import; never stored or shown."""

    anonymous: bool = Field(False, description="Read a public bucket without credentials")
    access_key_id: str | None = Field(None, description="S3 access key id")
    secret_access_key: SecretStr | None = Field(None, description="S3 secret access key")
    session_token: SecretStr | None = Field(None, description="S3 session token (temporary keys)")
    region: str | None = Field(None, description="S3 region (default: the bucket's)")
    endpoint: str | None = Field(
        None, description="S3-compatible or GCS endpoint, e.g. https://minio.example:9000")
    access_token: SecretStr | None = Field(None, description="GCS OAuth2 access token")


def object_store_file(url: str, credentials: ObjectStoreCredentials | None, *,
                      platform_credentials: bool, allow: AllowList
                      ) -> tuple[pafs.FileSystem, str]:
    """The filesystem and path of ``url``'s object.

    ``platform_credentials`` says whether the caller may use the platform's own credentials
    when it gives none.
    """
    parts = urlsplit(url)
    if parts.query:
        raise InvalidInput("an s3:// or gs:// URL takes no query; give options in 'credentials'",
                           field="url")
    bucket, key = parts.netloc, unquote(parts.path).lstrip("/")
    if not _BUCKET.fullmatch(bucket) or not key:
        raise InvalidInput(f"name the object: {parts.scheme}://bucket/path/to/data.parquet",
                           field="url")
    path = f"{bucket}/{key}"
    if credentials is None:
        if not platform_credentials:
            raise Forbidden(
                "object-store imports need credentials given with the request ('credentials', "
                "or 'anonymous' for a public bucket); an administrator can let your role use the "
                f"platform's own with {PLATFORM_CREDENTIALS_SETTING}",
                details={"field": "credentials"})
        if parts.scheme == "s3":
            return pafs.S3FileSystem(region=_bucket_region(bucket)), path
        return pafs.GcsFileSystem(), path
    if parts.scheme == "s3":
        return _s3(credentials, bucket, allow), path
    return _gcs(credentials, allow), path


def _s3(credentials: ObjectStoreCredentials, bucket: str, allow: AllowList) -> pafs.FileSystem:
    if not credentials.anonymous and not (credentials.access_key_id and credentials.secret_access_key):
        raise InvalidInput("give access_key_id and secret_access_key, or anonymous: true",
                           field="credentials")
    options: dict = {"region": credentials.region}
    if credentials.endpoint:
        options["scheme"], options["endpoint_override"] = _endpoint(credentials.endpoint, allow)
    elif not credentials.region:
        options["region"] = _bucket_region(bucket)
    if credentials.anonymous:
        return pafs.S3FileSystem(anonymous=True, **options)
    return pafs.S3FileSystem(
        access_key=credentials.access_key_id,
        secret_key=_secret(credentials.secret_access_key),
        session_token=_secret(credentials.session_token), **options)


def _gcs(credentials: ObjectStoreCredentials, allow: AllowList) -> pafs.FileSystem:
    if not credentials.anonymous and not credentials.access_token:
        raise InvalidInput("give access_token, or anonymous: true", field="credentials")
    options: dict = {}
    if credentials.endpoint:
        options["scheme"], options["endpoint_override"] = _endpoint(credentials.endpoint, allow)
    if credentials.anonymous:
        return pafs.GcsFileSystem(anonymous=True, **options)
    expires = datetime.now(UTC) + _GCS_TOKEN_LIFETIME
    return pafs.GcsFileSystem(access_token=_secret(credentials.access_token),
                              credential_token_expiration=expires, **options)


def _endpoint(endpoint: str, allow: AllowList) -> tuple[str, str]:
    """``(scheme, host:port)`` for pyarrow; plain http is pinned to the checked address."""
    try:
        url = httpx.URL(endpoint)
    except httpx.InvalidURL:
        raise InvalidInput("endpoint must be an http:// or https:// URL",
                           field="credentials.endpoint") from None
    if url.scheme not in ("http", "https") or not url.raw_host:
        raise InvalidInput("endpoint must be an http:// or https:// URL",
                           field="credentials.endpoint")
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    ip = checked_address(host, port, allow, field="credentials.endpoint")
    # Over https the certificate must match the name, so a second DNS answer cannot divert it.
    target = host if url.scheme == "https" else (f"[{ip}]" if ip.version == 6 else str(ip))
    return url.scheme, f"{target}:{port}"


def _bucket_region(bucket: str) -> str | None:
    try:
        return pafs.resolve_s3_region(bucket)
    except (OSError, ValueError):
        return None


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None
