"""Concurrent uploads of one name on a real SQLite file get distinct, gap-free versions."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.conftest import PMML_DIR, both_backends

pytestmark = both_backends

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()


def test_sixteen_concurrent_uploads_make_sixteen_versions(platform_app):
    def one(i: int):
        client = platform_app.client()
        return client.post("/api/v1/models", files={"file": ("m.pmml", PMML)},
                           data={"name": "iris", "description": f"upload {i}"})

    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(one, range(16)))
    assert [r.status_code for r in responses] == [201] * 16, [r.text for r in responses if r.status_code != 201]
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(1, 17))
    listed = platform_app.client().get("/api/v1/models/iris/versions").json()
    assert len(listed) == 16 and len({v["sha256"] for v in listed}) == 1
