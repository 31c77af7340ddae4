"""What the database's write lock guarantees under concurrent writers, on SQLite and PostgreSQL:
gap-free version numbers, unique names, one winner per race."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import PMML_DIR, both_backends

pytestmark = both_backends

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()


def at_once(count: int, call) -> list:
    """``call(i)`` for i in 0..count-1 from ``count`` threads released together."""
    barrier = threading.Barrier(count)

    def one(i: int):
        barrier.wait()
        return call(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))


def test_eight_threads_of_25_uploads_make_versions_1_to_200(platform_app):
    def uploads(thread: int) -> list:
        client = platform_app.client()
        return [client.post("/api/v1/models", files={"file": ("m.pmml", PMML)},
                            data={"name": "iris", "description": f"{thread}-{i}"})
                for i in range(25)]

    responses = [r for batch in at_once(8, uploads) for r in batch]
    assert [r.status_code for r in responses] == [201] * 200, \
        [r.text for r in responses if r.status_code != 201][:3]
    assert sorted(r.json()["version"] for r in responses) == list(range(1, 201))
    listed = platform_app.client().get("/api/v1/models/iris/versions?limit=500").json()
    assert sorted(v["version"] for v in listed) == list(range(1, 201))


def test_concurrent_deploys_of_one_name_make_one_service(platform_app):
    client = platform_app.client()
    assert client.post("/api/v1/models", files={"file": ("m.pmml", PMML)},
                       data={"name": "iris"}).status_code == 201

    def deploy(_: int):
        return platform_app.client().post("/api/v1/services",
                                          json={"name": "iris-svc", "model": "iris"})

    answers = Counter(r.status_code for r in at_once(8, deploy))
    assert answers == {201: 1, 409: 7}, answers
    assert [s["name"] for s in client.get("/api/v1/services").json()] == ["iris-svc"]


def test_concurrent_dataset_uploads_of_one_name_keep_one(platform_app):
    def upload(i: int):
        return platform_app.client().post("/api/v1/datasets?name=scores",
                                          files={"file": ("s.csv", f"x,y\n{i},1\n".encode())})

    answers = Counter(r.status_code for r in at_once(8, upload))
    assert answers == {201: 1, 409: 7}, answers
    listed = platform_app.client().get("/api/v1/datasets").json()
    assert [d["name"] for d in listed["items"]] == ["scores"]
