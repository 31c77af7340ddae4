"""The live paths with S3 storage (moto's server on loopback): upload -> deploy -> predict,
scaling onto a second replica, dataset -> batch job -> output download, and a 50 MB artifact
read by a Ray worker that has a HOME and DAAS_HOME of its own.

The module restarts the shared Ray cluster with the platform on S3 and a data folder of its
own, and restarts the usual one afterwards. Replicas, the workbench and batch actors find
the bucket through the AWS variables they inherit, as on a node whose environment holds them;
nothing is stored in the platform's data folder, so any read from it would fail.
"""

from __future__ import annotations

import hashlib
import os
import time

import pytest
import ray

from daas.store.artifacts import ArtifactRef, ArtifactStore, load_artifact
from tests.conftest import PMML_DIR, LivePlatform, _start_ray_and_platform, _stop_ray, make_settings
from tests.child_server import free_port
from tests.live.helpers import api, upload
from tests.live.test_live_jobs import (  # noqa: F401 - the fixture and test run here again, on S3
    http,
    test_predict_output_equals_the_test_endpoints_answers,
)
from tests.live.test_live_lifecycle import (  # noqa: F401 - the fixture and test run here again, on S3
    iris,
    test_scaling_keeps_the_running_replica_and_says_scaling,
)
from tests.s3_server import SECRET_KEY

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def live_platform(live_platform, s3_server, tmp_path_factory):
    """The platform on S3 storage, in place of the shared one for this module."""
    # Ray's workers inherit the environment it starts in; the usual cluster starts without.
    saved = {name: os.environ.get(name) for name in s3_server.environment()}
    s3_server.export()
    bucket = s3_server.create_bucket()
    settings = make_settings(tmp_path_factory.mktemp("live-s3") / "home", port=free_port(),
                             storage_uri=f"s3://{bucket}/daas", max_upload_bytes=4 * 1024 * 1024,
                             inspect_timeout_s=120, reconcile_interval_s=1.0)
    _stop_ray()
    started = time.monotonic()
    _start_ray_and_platform(settings)
    print(f"platform on S3 ready in {time.monotonic() - started:.1f} s")
    try:
        yield LivePlatform(settings.url, settings.admin_token_path.read_text().strip(), settings)
    finally:
        _stop_ray()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _start_ray_and_platform(live_platform.settings)


def test_everything_is_stored_in_the_bucket_and_deleting_removes_it(live_platform, s3_server):
    uri = live_platform.settings.storage_uri
    bucket = uri.removeprefix("s3://").split("/")[0]
    before = set(s3_server.keys(bucket))
    upload(live_platform, "s3-kept", PMML_DIR / "GeneralRegressionIris.pmml")
    with api(live_platform) as client:
        made = client.post("/api/v1/datasets", data={"name": "s3-kept"},
                           files={"file": ("kept.csv", b"a,b\n1,2\n")})
        assert made.status_code == 201, made.text
        added = set(s3_server.keys(bucket)) - before
        assert {key.split("/")[1] for key in added} == {"models", "datasets"}, added
        assert not (live_platform.settings.home / "storage").exists()
        assert client.delete("/api/v1/datasets/s3-kept").status_code == 204
        assert client.delete("/api/v1/models/s3-kept").status_code == 204
    assert set(s3_server.keys(bucket)) == before


@ray.remote(num_cpus=0.25)
def _digest_in_worker(ref: ArtifactRef) -> tuple[str, int, str, str]:
    data = load_artifact(ref)
    return (hashlib.sha256(data).hexdigest(), len(data), os.environ["HOME"], os.environ["DAAS_HOME"],
            sorted(os.listdir(os.environ["HOME"])))


def test_a_50_mb_artifact_reads_back_identical_in_a_worker_with_its_own_home(live_platform, tmp_path):
    own = {"HOME": str(tmp_path / "home"), "DAAS_HOME": str(tmp_path / "daas-home")}
    for folder in own.values():
        os.mkdir(folder)
    # Ray finds its token under HOME unless told where it is; the worker would not start.
    own["RAY_AUTH_TOKEN_PATH"] = os.environ.get("RAY_AUTH_TOKEN_PATH",
                                                os.path.expanduser("~/.ray/auth_token"))
    store = ArtifactStore(live_platform.settings.storage_uri)
    data = os.urandom(50 * 1024 * 1024)
    started = time.monotonic()
    digest, key = store.put_model(data)
    written = time.monotonic() - started
    ref = ArtifactRef(store.uri, key, digest, "onnx")
    started = time.monotonic()
    in_worker = _digest_in_worker.options(runtime_env={"env_vars": own}).remote(ref)
    assert ray.get(in_worker, timeout=120) == (digest, len(data), own["HOME"], own["DAAS_HOME"], [])
    print(f"50 MB on S3: written in {written:.2f} s, read and checked by a worker in "
          f"{time.monotonic() - started:.2f} s")
    store.delete(key)
    assert not store.exists(key)


def test_no_s3_secret_reaches_the_api_or_job_configs(live_platform):
    import httpx

    with httpx.Client(base_url=live_platform.url, headers=live_platform.headers, timeout=30) as client:
        jobs = client.get("/api/v1/jobs").json()
        paths = ["/api/v1/jobs", "/api/v1/services", "/api/v1/cluster",
                 *(f"/api/v1/jobs/{job['name']}/{what}" for job in jobs for what in ("runs", "script"))]
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200 and SECRET_KEY not in response.text, path
    from ray.job_submission import JobSubmissionClient

    from daas.platform.ray_adapter.jobs import _dashboard_url

    for job in JobSubmissionClient(_dashboard_url()).list_jobs():
        assert SECRET_KEY not in repr(job.runtime_env) and SECRET_KEY not in repr(job.metadata)
