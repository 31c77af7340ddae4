"""The platform with Ray swapped for the test fakes, for working on the UI without a cluster.

``python -m tests.e2e.fake_platform --port 8765`` serves the API and the built UI; models are
inspected in-process, services turn ``running`` at once (they cannot answer calls) and job runs
stay ``pending``. Prints the admin token.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import uvicorn

from daas.platform.app import create_app
from daas.settings import Settings
from tests.fakes import FakeJobs, FakeServe, InProcessWorker


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="daas-fake-"))
    settings = Settings(home=home, port=args.port, reconcile_interval_s=1.0)
    app = create_app(settings, InProcessWorker(), FakeServe(), FakeJobs(), run_background=True)
    print(f"admin token: {settings.admin_token_path.read_text().strip()}", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
