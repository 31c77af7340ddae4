"""The test fakes and the Ray adapters hold to the management plane's ports."""

from __future__ import annotations

import inspect

import pytest

from daas.platform import ports
from tests.fakes import FakeJobs, FakeServe, InProcessWorker

PAIRS = [
    (ports.ModelWorker, InProcessWorker),
    (ports.ServeBackend, FakeServe),
    (ports.JobBackend, FakeJobs),
]


def protocol_methods(protocol: type) -> dict[str, inspect.Signature]:
    return {name: inspect.signature(member) for name, member in vars(protocol).items()
            if callable(member) and not name.startswith("_")}


@pytest.mark.parametrize(("protocol", "fake"), PAIRS, ids=lambda item: item.__name__)
def test_the_fakes_implement_every_method_with_the_same_parameters(protocol, fake) -> None:
    assert isinstance(fake(), protocol)
    for name, signature in protocol_methods(protocol).items():
        implemented = getattr(fake, name)
        assert inspect.iscoroutinefunction(implemented) == inspect.iscoroutinefunction(
            getattr(protocol, name)), name
        assert list(inspect.signature(implemented).parameters) == list(signature.parameters), name


@pytest.mark.parametrize(("protocol", "adapter"), [
    (ports.ModelWorker, "daas.platform.ray_adapter.worker:RayModelWorker"),
    (ports.ServeBackend, "daas.platform.ray_adapter.serve:RayServe"),
    (ports.JobBackend, "daas.platform.ray_adapter.jobs:RayJobs"),
], ids=lambda item: getattr(item, "__name__", item))
def test_the_ray_adapters_implement_the_same_ports(protocol, adapter) -> None:
    import importlib

    module, name = adapter.split(":")
    implementation = getattr(importlib.import_module(module), name)
    for method, signature in protocol_methods(protocol).items():
        assert hasattr(implementation, method), method
        assert (list(inspect.signature(getattr(implementation, method)).parameters)
                == list(signature.parameters)), method


def test_a_fake_missing_a_method_is_caught() -> None:
    class Partial:
        def submit(self, submission_id, entrypoint, runtime_env): ...

    assert not isinstance(Partial(), ports.JobBackend)


def test_service_app_names_round_trip() -> None:
    assert ports.service_app_name("iris") == "svc-iris"
    assert ports.service_of_app("svc-iris") == "iris"
    assert ports.service_of_app("daas") is None
