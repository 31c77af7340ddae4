"""Request decoding and value coercion, independent of HTTP and Ray.

``decode_json`` and ``decode_csv`` turn request bodies into a ``DecodedRequest``: rows
coerced to the model's input schema by ``coerce_frame``, or named tensors for ONNX
models. ``rows_to_csv`` and ``tensors_to_v2_outputs`` encode results. Every user error
is a ``daas.errors.BadRequest`` (unparseable shape) or ``InvalidInput`` (naming the
field and row).
"""

from daas.codecs.coercion import coerce_frame
from daas.codecs.decoding import (
    ACCEPTED_SHAPES,
    DecodedRequest,
    decode_csv,
    decode_json,
)
from daas.codecs.responses import rows_to_csv
from daas.codecs.tensors import V2_DATATYPES, tensors_to_v2_outputs, v2_datatype

__all__ = [
    "ACCEPTED_SHAPES",
    "V2_DATATYPES",
    "DecodedRequest",
    "coerce_frame",
    "decode_csv",
    "decode_json",
    "rows_to_csv",
    "tensors_to_v2_outputs",
    "v2_datatype",
]
