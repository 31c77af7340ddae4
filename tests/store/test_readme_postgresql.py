"""The README's PostgreSQL block, run line by line against the test server: the role and the
database it makes, then the platform's start check and migrations on the URL it exports (only
the host and port are the test server's)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess

from sqlalchemy import make_url

from daas.platform.launcher import check_database
from daas.settings import Settings
from daas.store.db import Database
from daas.store.migrate import upgrade
from tests.live.test_readme import README, shell_blocks


def postgresql_block() -> list[str]:
    section = README.read_text().split("## PostgreSQL\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```bash\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1 and not shell_blocks(section), "one block, skipped by the README test"
    return blocks[0].strip().splitlines()


def test_the_readme_postgresql_block_makes_a_database_the_platform_starts_on(
        postgres_server, tmp_path):
    create_role, create_database, export, start = postgresql_block()
    assert start.endswith("daas up")
    # `sudo -u postgres` becomes the server's superuser over its socket.
    shims = tmp_path / "bin"
    shims.mkdir()
    (shims / "sudo").write_text('#!/bin/sh\n[ "$1" = -u ] && shift 2\nexec "$@"\n')
    (shims / "sudo").chmod(0o755)
    env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}", "PGHOST": str(postgres_server.folder),
           "PGPORT": str(postgres_server.port), "PGUSER": postgres_server.user}
    for line in (create_role, create_database):
        done = subprocess.run(["bash", "-c", line], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{line}: {done.stderr}"

    name, value = shlex.split(export.removeprefix("export "))[0].split("=", 1)
    url = make_url(value).set(host="127.0.0.1", port=postgres_server.port)
    settings = Settings(home=tmp_path / "home",
                        database_url=url.render_as_string(hide_password=False))
    assert name == "DAAS_DATABASE_URL"
    check_database(settings)
    db = Database.connect(settings.resolved_database_url)
    upgrade(db)
    with db.read() as session:
        owner = session.connection().exec_driver_sql(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'model'").scalar_one()
    db.dispose()
    assert owner == url.username
    postgres_server.drop_database(url.database)
    postgres_server.execute(f"DROP ROLE {url.username}")
