"""The management API's OpenAPI document, without Ray: ``python -m daas.platform.openapi_document``.

The web UI's typed client is generated from this document (``ui/openapi.json``).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi.openapi.utils import get_openapi

from daas.platform.app import build_api
from daas.settings import Settings


def openapi_document() -> dict[str, Any]:
    """The document the platform serves at ``/openapi.json``."""
    with tempfile.TemporaryDirectory() as home:
        app = build_api(Settings(home=Path(home)))
        return get_openapi(title=app.title, version="ui", description=app.description, routes=app.routes)


def main() -> None:
    json.dump(openapi_document(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
