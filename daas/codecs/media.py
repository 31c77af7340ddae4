"""Media types of request and response documents, read from Content-Type or Accept values."""

from __future__ import annotations

#: The media types a CSV document may be labelled with.
CSV_MEDIA_TYPES = frozenset({"text/csv", "application/csv"})


def media_type(content_type: str | None) -> str:
    """``"text/csv"`` from ``"text/csv; charset=utf-8"``; ``""`` when absent."""
    return (content_type or "").split(";")[0].strip().lower()


def is_csv(content_type: str | None) -> bool:
    """Whether a Content-Type (or one Accept entry) names CSV."""
    return media_type(content_type) in CSV_MEDIA_TYPES
