"""Media types read from Content-Type and Accept values (daas.codecs.media)."""

from __future__ import annotations

import pytest

from daas.codecs.media import is_csv, media_type


@pytest.mark.parametrize(("content_type", "expected"), [
    ("text/csv; charset=utf-8", "text/csv"),
    ("  Application/JSON ", "application/json"),
    ("multipart/form-data; boundary=xyz", "multipart/form-data"),
    ("", ""),
    (None, ""),
])
def test_media_type_drops_parameters_and_case(content_type, expected):
    assert media_type(content_type) == expected


@pytest.mark.parametrize(("content_type", "expected"), [
    ("text/csv", True), ("application/csv; header=present", True), ("TEXT/CSV", True),
    ("application/json", False), ("text/plain", False), (None, False),
])
def test_is_csv(content_type, expected):
    assert is_csv(content_type) is expected
