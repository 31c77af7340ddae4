"""Format detection: declared format, then extension, then content — and they must agree."""

from __future__ import annotations

import pytest

from daas.errors import InvalidModel
from daas.runtimes import detect_format
from tests.runtimes.corpus import MNIST_DIR, PMML_DIR

PMML = (PMML_DIR / "KMeansIris.pmml").read_bytes()
ONNX = (MNIST_DIR / "mnist.onnx").read_bytes()


@pytest.mark.parametrize("filename, data, declared, expected", [
    ("model.pmml", PMML, None, "pmml"),
    ("MODEL.XML", PMML, None, "pmml"),
    ("model.onnx", ONNX, None, "onnx"),
    ("upload.bin", PMML, None, "pmml"),
    ("upload.bin", ONNX, None, "onnx"),
    (None, PMML, None, "pmml"),
    (None, ONNX, None, "onnx"),
    ("model.bin", ONNX, "ONNX", "onnx"),
    ("model", PMML, "pmml", "pmml"),
    ("C:\\models\\tree.pmml", PMML, None, "pmml"),
])
def test_detects_format(filename, data, declared, expected):
    assert detect_format(filename, data, declared) == expected


def test_pmml_with_byte_order_mark_and_comment_is_pmml():
    data = b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- exported -->\n" + PMML.split(b"?>", 1)[1]

    assert detect_format(None, data) == "pmml"


def test_declared_format_wins_over_the_extension():
    with pytest.raises(InvalidModel, match="'model.pmml' is not an ONNX model"):
        detect_format("model.pmml", PMML, declared="onnx")


def test_unsupported_declared_format_names_the_supported_ones():
    with pytest.raises(InvalidModel, match="unsupported model format 'h5'.*PMML.*ONNX"):
        detect_format("model.h5", b"\x89HDF\r\n", declared="h5")


def test_unknown_content_without_a_known_extension_names_the_supported_formats():
    with pytest.raises(InvalidModel, match="cannot tell the model format of file 'model.pkl'; "
                                           "supported formats: PMML .* ONNX"):
        detect_format("model.pkl", b"\x80\x04\x95\x00\x00\x00")


def test_xml_that_is_not_pmml_named_pmml():
    with pytest.raises(InvalidModel, match="is not a PMML document .*without a PMML root"):
        detect_format("model.pmml", b'<?xml version="1.0"?><svg/>')


def test_binary_named_pmml():
    with pytest.raises(InvalidModel, match="is not a PMML document .*binary data"):
        detect_format("model.pmml", bytes(range(256)))
