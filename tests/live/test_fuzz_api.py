"""Schemathesis against the live platform: every operation of ``/openapi.json`` (the v2 routes
too), 25 seeded examples each, positive and negative, answered without a 5xx and as documented.

The cluster is shared with the other live tests, so the fuzzer works on resources of its own:
path names and ids of operations that change or remove something are moved out of the way of
everything that existed before (``fuzz-`` names, ids past any real one), and whatever the
fuzzer created is deleted afterwards.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from daas.platform.openapi_document import openapi_document
from tests.conftest import CSV_DIR, PMML_DIR
from tests.live.helpers import api, wait_for_state

pytestmark = pytest.mark.ray

SEED = 20240610
EXAMPLES = 25
OWN = "fuzz"
#: Generated ids in changing operations are shifted past every id a real resource has.
ID_OFFSET = 1_000_000
#: Operations that only compute, even when they take a path name.
HARMLESS_ENDINGS = ("/test", "/infer")
CHECKS = [not_a_server_error, response_schema_conformance]
RESOURCE_LISTS = {"models": "/api/v1/models?limit=500", "services": "/api/v1/services",
                  "datasets": "/api/v1/datasets?limit=500", "jobs": "/api/v1/jobs",
                  "tokens": "/api/v1/tokens"}


def _changes_something(method: str, path: str) -> bool:
    return method != "get" and "{" in path and not path.endswith(HARMLESS_ENDINGS)


def _operation_order(label: tuple[str, str]) -> tuple[bool, bool, str, str]:
    """Reads and computations first, then changes, deletions last (they remove our fixtures)."""
    method, path = label
    return _changes_something(method, path), method == "delete", path, method


OPERATIONS = sorted(((method, path) for path, items in openapi_document()["paths"].items()
                     for method in items if method in ("get", "post", "put", "patch", "delete")),
                    key=_operation_order)


@dataclass
class Tally:
    """What one operation's examples got back."""

    examples: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # (failure kind, status) -> count
    samples: dict[str, str] = field(default_factory=dict)

    def record(self, case, response) -> None:
        self.examples += 1
        self.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (FailureGroup, Failure) as error:
            for failure in getattr(error, "exceptions", (error,)):
                self.failures[(failure.kind_title, response.status_code)] += 1
                self.samples.setdefault(failure.kind_title, f"{case.as_curl_command()}\n  -> "
                                        f"{response.status_code} {response.text[:300]}")


@dataclass
class Fuzzing:
    schema: object
    url: str
    headers: dict[str, str]
    own_token_id: int
    tallies: dict[str, Tally] = field(default_factory=dict)


def _names(http: httpx.Client) -> dict[str, set]:
    found = {}
    for kind, url in RESOURCE_LISTS.items():
        body = http.get(url).raise_for_status().json()
        items = body["items"] if isinstance(body, dict) else body
        found[kind] = {item["id"] if kind == "tokens" else item["name"] for item in items}
    return found


def _delete_new(live, http: httpx.Client, before: dict[str, set]) -> None:
    """Delete what the fuzzer made; services first, and gone, so their models can go too."""
    new = {kind: names - before[kind] for kind, names in _names(http).items()}
    for kind in ("jobs", "services"):
        for key in new[kind]:
            http.delete(f"/api/v1/{kind}/{key}")
    for service in new["services"]:
        wait_for_state(live, service, "gone")
    for kind in ("datasets", "models", "tokens"):
        for key in new[kind]:
            http.delete(f"/api/v1/{kind}/{key}")
    left = {kind: names - before[kind] for kind, names in _names(http).items() if kind != "tokens"}
    assert not any(left.values()), f"the fuzzer left {left}"


@pytest.fixture(scope="module")
def fuzzing(live_platform):
    """The live schema, a model, dataset and running service named ``fuzz``, and a token the
    fuzzer may revoke; everything the fuzzer made is deleted afterwards."""
    with api(live_platform) as http:
        before = _names(http)
        assert OWN not in before["models"] | before["services"] | before["datasets"]
        pmml = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()
        http.post("/api/v1/models", files={"file": ("iris.pmml", pmml)},
                  data={"name": OWN}).raise_for_status()
        http.post("/api/v1/datasets", files={"file": ("iris.csv", (CSV_DIR / "Iris.csv").read_bytes())},
                  data={"name": OWN}).raise_for_status()
        http.post("/api/v1/services", json={"name": OWN, "model": OWN}).raise_for_status()
        token = http.post("/api/v1/tokens", json={"name": "fuzz-victim", "role": "viewer"})
        token.raise_for_status()
        wait_for_state(live_platform, OWN)
        schema = schemathesis.openapi.from_url(f"{live_platform.url}/openapi.json")
        yield Fuzzing(schema, live_platform.url, live_platform.headers, token.json()["id"])
        _delete_new(live_platform, http, before)


def _known_values(fuzzing: Fuzzing, path: str) -> dict[str, object]:
    """Path values that name the fuzzer's own resources."""
    known = {"name": OWN, "version": 1, "token_id": fuzzing.own_token_id}
    return {key: value for key, value in known.items() if "{" + key + "}" in path}


def _keep_off_others(case, path: str, known: dict[str, object]) -> None:
    """Move a generated name or id of a changing operation away from other tests' resources."""
    if not _changes_something(case.method.lower(), path):
        return
    for key, value in (case.path_parameters or {}).items():
        if value == known.get(key):
            continue
        if isinstance(value, str) and key != "version":
            case.path_parameters[key] = f"fuzz-{value}"
        elif isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            case.path_parameters[key] = value + ID_OFFSET


def _strategy(operation, known: dict[str, object]):
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    strategies = [operation.as_strategy(generation_mode=mode) for mode in modes]
    if known:
        strategies += [operation.as_strategy(generation_mode=mode, path_parameters=known)
                       for mode in modes]
    return st.one_of(strategies)


@pytest.mark.timeout(300)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m.upper()} {p}" for m, p in OPERATIONS])
def test_operation_never_answers_5xx_and_matches_its_schema(fuzzing, method, path):
    operation = fuzzing.schema[path][method.upper()]
    known = _known_values(fuzzing, path)
    tally = fuzzing.tallies.setdefault(f"{method.upper()} {path}", Tally())

    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation, known))
    def examples(case):
        _keep_off_others(case, path, known)
        case.headers = {**(case.headers or {}), **fuzzing.headers}  # negative mode drops it
        response = case.call(base_url=fuzzing.url, timeout=60)
        tally.record(case, response)

    examples()
    assert not tally.failures, "\n".join(
        [f"{kind} ({status}): {count}x" for (kind, status), count in tally.failures.items()]
        + list(tally.samples.values()))


def test_fuzzing_summary(fuzzing):
    """One line per operation and the totals (run with ``-s`` to see them)."""
    tallies = fuzzing.tallies
    print(f"\nschemathesis: {len(tallies)} operations, "
          f"{sum(t.examples for t in tallies.values())} examples")
    totals = Counter()
    for label, tally in tallies.items():
        totals.update(tally.failures)
        statuses = " ".join(f"{code}x{n}" for code, n in sorted(tally.statuses.items()))
        problems = ", ".join(f"{kind} {status} x{n}" for (kind, status), n in tally.failures.items())
        print(f"  {label}: {tally.examples} examples [{statuses}] {problems}")
    for (kind, status), count in sorted(totals.items()):
        print(f"  total {kind} ({status}): {count}")
    assert len(tallies) == len(OPERATIONS)
