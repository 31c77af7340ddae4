"""The README's shell blocks, pasted in order into one shell against a live platform.

Each command must exit 0 and each HTTP call the README makes must answer 2xx: ``curl`` on the
PATH is the real curl with ``--fail-with-body`` added, so a 4xx or 5xx fails the block. Only
``DAAS_URL`` (which the README reads with a default) and ``HOME`` (where ``~/.daas/admin-token``
is) come from the test. A block preceded by ``<!-- not run by the README test ... -->`` is
skipped (``make run`` starts the platform this test is given).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
SKIP_MARK = "<!-- not run by the README test"
_BLOCK = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


def shell_blocks(text: str) -> list[str]:
    """The ```bash blocks of a Markdown text, in order, minus those marked as not run."""
    blocks = []
    for match in _BLOCK.finditer(text):
        before = text[:match.start()].rstrip().splitlines()[-1:] or [""]
        if not before[0].startswith(SKIP_MARK):
            blocks.append(match.group(1))
    return blocks


def test_shell_blocks_are_found_and_marked_ones_skipped():
    text = "a\n```bash\necho 1\n```\n<!-- not run by the README test: x -->\n```bash\nmake run\n```\n"
    assert shell_blocks(text) == ["echo 1\n"]
    assert len(shell_blocks(README.read_text())) >= 5


def _workspace(tmp_path: Path, admin_token: str) -> tuple[Path, Path]:
    """A folder that looks like the checkout (venv, ../shared) but keeps files written apart."""
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    (checkout / ".venv").symlink_to(REPO / ".venv")
    (tmp_path / "shared").symlink_to((REPO.parent / "shared").resolve())
    home = tmp_path / "home"
    (home / ".daas").mkdir(parents=True)
    (home / ".daas" / "admin-token").write_text(admin_token + "\n")
    shims = tmp_path / "bin"
    shims.mkdir()
    curl = shims / "curl"
    curl.write_text(f'#!/bin/sh\nexec {shutil.which("curl")} --fail-with-body "$@"\n')
    curl.chmod(0o755)
    return checkout, home


@pytest.mark.ray
def test_readme_runs_as_pasted(live_platform, tmp_path):
    checkout, home = _workspace(tmp_path, live_platform.admin_token)
    script = "set -e\ntrap 'echo \"README command failed ($?): $BASH_COMMAND\" >&2' ERR\nset -x\n"
    script += "\n".join(shell_blocks(README.read_text()))
    env = {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "HOME": str(home),
           "DAAS_URL": live_platform.url, "LANG": "C.UTF-8", "RAY_USAGE_STATS_ENABLED": "0"}
    done = subprocess.run(["bash", "-c", script], cwd=checkout, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, f"{done.stderr[-6000:]}\n--- stdout ---\n{done.stdout[-3000:]}"
