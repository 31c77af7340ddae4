"""The web UI's typed API client is generated from the platform's OpenAPI document.

``ui/openapi.json`` is the copy it was generated from; when a route or model changes, this
fails until the copy and ``ui/src/api/schema.d.ts`` are regenerated (``make ui-api``), and the
UI's type check then shows every page the change breaks.
"""

from __future__ import annotations

import json
from pathlib import Path

from daas.platform.openapi_document import openapi_document

UI = Path(__file__).resolve().parents[2] / "ui"


def test_the_ui_copy_of_the_openapi_document_is_current() -> None:
    committed = json.loads((UI / "openapi.json").read_text())
    assert committed == openapi_document(), "run `make ui-api` to regenerate the UI's API types"


def test_the_generated_types_cover_every_route() -> None:
    types = (UI / "src" / "api" / "schema.d.ts").read_text()
    for path in openapi_document()["paths"]:
        assert f'"{path}"' in types, path
