"""The README's S3 block, run against the test S3 server: its exports (only the endpoint is
the test server's) give a store the platform's start check accepts, and objects land in the
bucket it names."""

from __future__ import annotations

import re
import shlex
from urllib.parse import urlsplit

from daas.platform.launcher import check_storage
from daas.settings import Settings
from daas.store.artifacts import ArtifactStore
from tests.live.test_readme import README, shell_blocks


def s3_block() -> list[str]:
    section = README.read_text().split("## S3 storage\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```bash\n(.*?)^```", section, re.MULTILINE | re.DOTALL)
    assert len(blocks) == 1 and not shell_blocks(section), "one block, skipped by the README test"
    return blocks[0].strip().splitlines()


def test_the_readme_s3_block_gives_a_store_the_platform_starts_on(s3_server, s3_environment,
                                                                   tmp_path, monkeypatch):
    *exports, start = s3_block()
    assert start.endswith("daas up")
    variables = {}
    for line in exports:
        assert line.startswith("export ")
        variables.update(word.split("=", 1) for word in shlex.split(line.removeprefix("export ")))
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "DAAS_S3_ENDPOINT_URL",
            "DAAS_STORAGE_URI"} <= set(variables)
    variables["DAAS_S3_ENDPOINT_URL"] = s3_server.endpoint
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    s3_server.create_bucket(urlsplit(variables["DAAS_STORAGE_URI"]).netloc)

    settings = Settings(home=tmp_path / "home")
    check_storage(settings)
    ArtifactStore(settings.resolved_storage_uri).put_model(b"<PMML/>")
    bucket, prefix = urlsplit(variables["DAAS_STORAGE_URI"]).netloc, \
        urlsplit(variables["DAAS_STORAGE_URI"]).path.strip("/")
    assert [key.split("/")[:2] for key in s3_server.keys(bucket)] == [[prefix, "models"]]
