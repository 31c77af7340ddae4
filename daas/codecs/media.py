"""Media types of request and response documents, read from Content-Type or Accept values."""

from __future__ import annotations

from collections.abc import Collection

from daas.errors import UnsupportedMediaType

#: The media types a CSV document may be labelled with.
CSV_MEDIA_TYPES = frozenset({"text/csv", "application/csv"})
JSON_MEDIA_TYPE = "application/json"
_UTF8 = frozenset({"utf-8", "utf8"})


def media_type(content_type: str | None) -> str:
    """``"text/csv"`` from ``"text/csv; charset=utf-8"``; ``""`` when absent."""
    return (content_type or "").split(";")[0].strip().lower()


def charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type, lowercased, or ``None``."""
    for parameter in (content_type or "").split(";")[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def is_csv(content_type: str | None) -> bool:
    """Whether a Content-Type (or one Accept entry) names CSV."""
    return media_type(content_type) in CSV_MEDIA_TYPES


def require_media_type(content_type: str | None, accepted: Collection[str]) -> None:
    """``UnsupportedMediaType`` unless the body is one of ``accepted`` in UTF-8.

    A body without a Content-Type passes: clients posting raw bytes (``requests``'
    ``data=``, ``httpx``' ``content=``) send JSON unlabelled, and it is parsed strictly.
    """
    kind = media_type(content_type)
    if kind and kind not in accepted:
        raise UnsupportedMediaType(
            f"Content-Type {kind!r} is not accepted here; send {', '.join(accepted)}",
            details={"content_type": kind, "accepted": list(accepted)})
    encoding = charset(content_type)
    if encoding is not None and encoding not in _UTF8:
        raise UnsupportedMediaType(f"charset {encoding!r} is not accepted; send UTF-8 text",
                                   details={"charset": encoding})
