"""Screenshot one page for a look while working on the UI.

``python -m tests.e2e.screenshot http://127.0.0.1:8765 TOKEN /models /tmp/models.png [width]``
"""

import sys

from tests.e2e.browser import chromium, signed_in_page


def main() -> None:
    base, token, path, out = sys.argv[1:5]
    width = int(sys.argv[5]) if len(sys.argv) > 5 else 1280
    with chromium() as browser:
        page = signed_in_page(browser, base, token, width=width)
        page.goto(path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=out, full_page=True)


if __name__ == "__main__":
    main()
