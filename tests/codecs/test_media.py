"""Media types read from Content-Type and Accept values (daas.codecs.media)."""

from __future__ import annotations

import pytest

from daas.codecs.media import charset, is_csv, media_type, require_media_type
from daas.errors import UnsupportedMediaType


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


ACCEPTED = ("application/json", "text/csv")


@pytest.mark.parametrize("content_type", [
    None, "", "application/json", "Application/JSON; charset=UTF-8", "text/csv; charset=utf8",
])
def test_accepted_media_types_and_utf8_pass(content_type):
    require_media_type(content_type, ACCEPTED)


@pytest.mark.parametrize(("content_type", "named"), [
    ("text/plain", "'text/plain' is not accepted"),
    ("image/png", "'image/png' is not accepted"),
    ("application/json; charset=utf-16", "charset 'utf-16' is not accepted"),
    ('text/csv; charset="latin-1"', "charset 'latin-1'"),
])
def test_other_media_types_and_charsets_are_415(content_type, named):
    with pytest.raises(UnsupportedMediaType, match=named) as caught:
        require_media_type(content_type, ACCEPTED)
    assert caught.value.status_code == 415 and caught.value.code == "unsupported_media_type"


def test_charset_reads_the_parameter():
    assert charset('text/csv; header=present; Charset="UTF-8"') == "utf-8"
    assert charset("application/json") is None
