"""What running replicas take in place (Serve's user_config): closing, a new key, a new limit."""

from __future__ import annotations

import pytest

from daas.errors import Unavailable
from daas.store.tables import Service
from daas.store.tokens import hash_token
from tests.deployments.fakes import (PREFIX, SERVICE_KEY, AdderRuntime, controls, harness, run,
                                     server_config, temporary_database)

ROW = {"data": [{"x": 1, "y": 2}]}
V2 = {"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [1]},
                 {"name": "y", "shape": [1], "datatype": "FP64", "data": [2]}]}


@pytest.mark.parametrize("closed, words", [("paused", "is paused; resume it"),
                                           ("deleted", "is being deleted")])
def test_a_closed_service_refuses_every_call_at_once(tmp_path, closed, words):
    adder = harness(tmp_path)
    with adder.client() as client:
        assert client.post(f"{PREFIX}/predict", json=ROW).status_code == 200
        adder.service.reconfigure(controls(closed=closed))
        for response in (client.post(f"{PREFIX}/predict", json=ROW),
                         client.post(f"{PREFIX}/predict", params={"mode": "async"}, json=ROW),
                         client.get(f"{PREFIX}/metadata")):
            assert response.status_code == 503, response.text
            assert words in response.json()["error"]["message"]
            assert response.json()["error"]["details"] == {"state": closed}
        # A stranger still learns nothing about the service.
        assert client.post(f"{PREFIX}/predict", json=ROW, headers={"Authorization": ""}).status_code == 401
    for call in (adder.service.predict(ROW), adder.service.infer_v2(V2),
                 adder.service.run_async_request("any-id")):
        with pytest.raises(Unavailable, match=words):
            run(call)


def test_reopened_service_answers_again(tmp_path):
    adder = harness(tmp_path)
    adder.service.reconfigure(controls(closed="paused"))
    adder.service.reconfigure(controls())
    assert run(adder.service.predict(ROW))["predictions"][0]["value"] == 3


def test_a_rotated_key_works_at_once_and_the_old_one_no_longer(tmp_path):
    adder = harness(tmp_path)
    new_key = "svc-key-after-rotation"
    with adder.db.write() as session:  # what the platform stores when it rotates the key
        row = session.get(Service, 1)
        row.key_hash = hash_token(new_key)
        session.add(row)
    old, new = {"Authorization": f"Bearer {SERVICE_KEY}"}, {"Authorization": f"Bearer {new_key}"}
    with adder.client(None) as client:
        assert client.post(f"{PREFIX}/predict", json=ROW, headers=old).status_code == 401  # the database says so
        adder.service.reconfigure(controls(key_hash=hash_token(new_key)))
        assert client.post(f"{PREFIX}/predict", json=ROW, headers=new).status_code == 200
        assert client.post(f"{PREFIX}/predict", json=ROW, headers=old).status_code == 401


def test_a_new_time_limit_applies_to_the_next_call(tmp_path):
    slow = harness(tmp_path, AdderRuntime(delay=0.4), timeout_s=5)
    with slow.client() as client:
        assert client.post(f"{PREFIX}/predict", json=ROW).status_code == 200
        slow.service.reconfigure(controls(timeout_s=0.1))
        late = client.post(f"{PREFIX}/predict", json=ROW)
    assert late.status_code == 504 and late.json()["error"]["details"] == {"timeout_s": 0.1}


def test_a_new_version_starts_before_the_old_one_stops(tmp_path):
    """The spec's options are accepted by Serve as they are, with a surge for rollouts."""
    from daas.deployments.service_app import build_service_app
    from daas.platform.services.spec import ServiceSpec

    config = server_config(AdderRuntime(), temporary_database(tmp_path))
    for spec in (ServiceSpec(), ServiceSpec(replicas=8, num_cpus=0.5, memory="512Mi")):
        app = build_service_app(config, controls(), spec.deployment_options())
        deployment_config = app._bound_deployment._deployment_config
        assert deployment_config.max_surge_percent == 25
        assert deployment_config.num_replicas == spec.replicas
