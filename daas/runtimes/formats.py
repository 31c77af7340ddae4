"""Tell PMML from ONNX: by declared format, file extension, or the first bytes of the file.

The checks here are cheap sniffs; the runtimes parse the file fully when they load it.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from daas.errors import InvalidModel

SUPPORTED_FORMATS = ("pmml", "onnx")
EXTENSIONS = {".pmml": "pmml", ".xml": "pmml", ".onnx": "onnx"}
_SUPPORTED_TEXT = "supported formats: PMML (.pmml, .xml) and ONNX (.onnx)"
_DISPLAY = {"pmml": "a PMML document", "onnx": "an ONNX model"}

_SNIFF_BYTES = 64 * 1024
_PMML_ROOT = re.compile(r"<\s*(?:[A-Za-z_][\w.-]*:)?PMML[\s>/]")

# (field number, wire type) of every ModelProto field: a serialized model starts with one.
_MODEL_PROTO_TAGS = {(1, 0), (2, 2), (3, 2), (4, 2), (5, 0), (6, 2), (7, 2), (8, 2), (14, 2),
                     (20, 2), (25, 2)}


def detect_format(filename: str | None, data: bytes, declared: str | None = None) -> str:
    """The model format of an uploaded file: ``"pmml"`` or ``"onnx"``.

    Uses ``declared`` if given, else the file extension, else the content; the content must
    agree with a declared or extension-implied format. Raises ``InvalidModel`` otherwise.
    """
    if not data:
        raise InvalidModel("the file is empty")
    label = f"file '{filename}'" if filename else "the file"
    claimed = _claimed_format(filename, declared)
    sniffed = sniff_format(data)
    if claimed is None:
        if sniffed is None:
            raise InvalidModel(f"cannot tell the model format of {label}; {_SUPPORTED_TEXT}")
        return sniffed
    if sniffed != claimed:
        raise InvalidModel(f"{label} is not {_DISPLAY[claimed]} ({_describe(data, sniffed)})")
    return claimed


def sniff_format(data: bytes) -> str | None:
    """The format the bytes look like, or ``None``."""
    if looks_like_pmml(data):
        return "pmml"
    if looks_like_onnx(data):
        return "onnx"
    return None


def looks_like_pmml(data: bytes) -> bool:
    """XML text whose root element (within the first 64 KiB) is ``PMML``."""
    head = _text_head(data)
    return head is not None and head.lstrip().startswith("<") and bool(_PMML_ROOT.search(head))


def looks_like_onnx(data: bytes) -> bool:
    """Starts like a serialized ONNX ``ModelProto`` (a known field tag, binary not text)."""
    tag, _ = _read_varint(data, 0)
    if tag is None or (tag >> 3, tag & 7) not in _MODEL_PROTO_TAGS:
        return False
    return _text_head(data[:64]) is None


def _claimed_format(filename: str | None, declared: str | None) -> str | None:
    if declared:
        fmt = declared.strip().lower()
        if fmt not in SUPPORTED_FORMATS:
            raise InvalidModel(f"unsupported model format '{declared}'; {_SUPPORTED_TEXT}")
        return fmt
    if filename:
        return EXTENSIONS.get(PurePosixPath(filename.replace("\\", "/")).suffix.lower())
    return None


def _describe(data: bytes, sniffed: str | None) -> str:
    if sniffed:
        return f"it looks like {_DISPLAY[sniffed]}"
    head = _text_head(data)
    if head is None:
        return "it is binary data of an unknown kind"
    if head.lstrip().startswith("<"):
        return "it is XML or HTML without a PMML root element"
    return "it is text, not a model"


def _text_head(data: bytes) -> str | None:
    """The first bytes decoded as UTF-8/UTF-16 text, or ``None`` if they are binary."""
    head = data[:_SNIFF_BYTES]
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                          (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not merely a character cut at the 64 KiB boundary
            return None
        text = head[:error.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
    return text if printable >= 0.95 * min(len(text), 4096) else None


def _read_varint(data: bytes, pos: int) -> tuple[int | None, int]:
    value = shift = 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    return None, pos
