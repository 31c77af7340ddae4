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


@pytest.mark.parametrize("uri", ["s3://bucket/prefix?region=eu-west-1&endpoint_override=127.0.0.1:9000",
                                 "file:///srv/daas", "/srv/daas/storage", None])
def test_a_storage_uri_without_credentials_is_taken_as_given(tmp_path, uri):
    assert Settings(home=tmp_path, storage_uri=uri).storage_uri == uri
