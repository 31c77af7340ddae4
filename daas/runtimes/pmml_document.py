"""Read PMML bytes safely: refuse DTDs and entities before any evaluator sees the file.

defusedxml stops at the DOCTYPE, so an XXE payload never gets to open the file it names
and an entity bomb is never expanded.
"""

from __future__ import annotations

import codecs
import re
import xml.etree.ElementTree as ElementTree

import defusedxml
import defusedxml.ElementTree as SafeElementTree

from daas.errors import InvalidModel

_ENCODING_DECLARATION = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16"))


def parse_pmml(data: bytes) -> ElementTree.Element:
    """The document's root ``PMML`` element; ``InvalidModel`` for anything unsafe or broken."""
    if not data:
        raise InvalidModel("the file is empty")
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                          forbid_external=True)
    except defusedxml.DefusedXmlException:
        raise InvalidModel("PMML with a DOCTYPE is refused: document type declarations and "
                           "entities are not allowed in uploaded models") from None
    except ElementTree.ParseError as error:
        raise InvalidModel(f"not well-formed XML: {error}") from None
    if local_name(root.tag) != "PMML":
        raise InvalidModel(f"not a PMML document: the root element is "
                           f"<{local_name(root.tag)}>, expected <PMML>")
    return root


def pmml_text(data: bytes) -> str:
    """The document as text, decoded with its byte-order mark or declared encoding."""
    encoding = "utf-8"
    for bom, bom_encoding in _BOMS:
        if data.startswith(bom):
            encoding = bom_encoding
            break
    else:
        declared = _ENCODING_DECLARATION.match(data)
        if declared:
            encoding = declared.group(1).decode("ascii")
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as error:
        raise InvalidModel(f"cannot decode the PMML document as {encoding}: {error}") from None
    # The evaluator reads a Java string, so a declared byte encoding no longer applies.
    return text.lstrip("\ufeff")


def local_name(tag: str) -> str:
    """An element tag without its ``{namespace}`` prefix."""
    return tag.rsplit("}", 1)[-1]
