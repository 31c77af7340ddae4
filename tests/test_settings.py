"""Settings refuse what would leak: a storage URI with credentials in it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from daas.settings import Settings


@pytest.mark.parametrize(("uri", "named"), [
    ("s3://AKIAEXAMPLE:wJalrXUtnFEMI@bucket/prefix", "user:password@"),
    ("s3://bucket/prefix?access_key=AKIAEXAMPLE&secret_key=wJalrXUtnFEMI", "access_key, secret_key"),
    ("s3://bucket/prefix?region=eu-west-1&Session_Token=abc", "session_token"),
])
def test_a_storage_uri_with_credentials_is_refused_with_the_reason(tmp_path, uri, named):
    with pytest.raises(ValidationError) as refused:
        Settings(home=tmp_path, storage_uri=uri)
    message = str(refused.value)
    assert "carries credentials" in message and named in message and "AWS_ACCESS_KEY_ID" in message
    assert "wJalrXUtnFEMI" not in message


@pytest.mark.parametrize("uri", ["s3://bucket/prefix", "s3://bucket", "gs://bucket/daas",
                                 "file:///srv/daas", "/srv/daas/storage", None])
def test_a_storage_uri_without_credentials_is_taken_as_given(tmp_path, uri):
    assert Settings(home=tmp_path, storage_uri=uri).storage_uri == uri


@pytest.mark.parametrize(("uri", "reason"), [
    ("s3://bucket/prefix?region=eu-west-1&endpoint_override=127.0.0.1:9000", "DAAS_S3_ENDPOINT_URL"),
    ("s3:///prefix", "names a bucket"),
])
def test_an_s3_uri_names_a_bucket_and_nothing_else(tmp_path, uri, reason):
    with pytest.raises(ValidationError, match=reason):
        Settings(home=tmp_path, storage_uri=uri)


@pytest.mark.parametrize("endpoint", ["127.0.0.1:9000", "ftp://host", "http://"])
def test_an_s3_endpoint_is_an_http_url(tmp_path, endpoint):
    with pytest.raises(ValidationError, match="s3_endpoint_url"):
        Settings(home=tmp_path, s3_endpoint_url=endpoint)
    assert Settings(home=tmp_path, s3_endpoint_url="http://127.0.0.1:9000").s3_endpoint_url


@pytest.mark.parametrize(("url", "taken"), [
    ("postgresql://daas:pw@db:5432/daas", "postgresql+psycopg://daas:pw@db:5432/daas"),
    ("postgres://daas@db/daas", "postgresql+psycopg://daas@db/daas"),
    ("postgresql+psycopg2://daas@db/daas", "postgresql+psycopg://daas@db/daas"),
    ("postgresql+psycopg://daas@db/daas", "postgresql+psycopg://daas@db/daas"),
    ("sqlite:////srv/daas/daas.db", "sqlite:////srv/daas/daas.db"),
])
def test_a_database_url_is_taken_with_postgresqls_driver_made_psycopg(tmp_path, url, taken):
    settings = Settings(home=tmp_path, database_url=url)
    assert settings.database_url == settings.resolved_database_url == taken


@pytest.mark.parametrize(("url", "reason"), [
    ("mysql+pymysql://daas:hunter2@db/daas", "'mysql' database"),
    ("not a url", "not a database URL"),
])
def test_a_database_other_than_sqlite_or_postgresql_is_refused(tmp_path, url, reason):
    with pytest.raises(ValidationError) as refused:
        Settings(home=tmp_path, database_url=url)
    assert reason in str(refused.value) and "DAAS_DATABASE_URL" in str(refused.value)
