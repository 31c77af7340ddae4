"""Browser fixtures: Debian's Chromium against the live platform (real Ray), screenshots kept."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.e2e.browser import CHROMIUM, chromium

SCREENSHOTS = Path(os.environ.get("DAAS_SCREENSHOTS", REPO / "build" / "screenshots"))


@pytest.fixture(scope="session")
def browser(live_platform) -> Iterator[object]:
    """One headless Chromium for the session; the UI must have been built (`make ui`)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("browser tests need Debian's Chromium: apt-get install chromium")
    if not (live_platform.settings.resolved_ui_dir / "index.html").is_file():
        pytest.fail("the web UI is not built: run `make ui` (make test does)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as instance:
        yield instance


def screenshot(page, name: str) -> Path:
    """Save the whole page as ``<name>.png`` once the network is quiet."""
    page.wait_for_load_state("networkidle")
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
