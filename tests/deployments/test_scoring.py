"""Time limits, batching and the handle methods of a model service, without Ray."""

from __future__ import annotations

import asyncio
import time

import pandas as pd
import pytest

from daas.deployments.model_service import ModelService
from daas.deployments.row_batching import predict_batch, split_rows
from daas.deployments import scoring
from daas.deployments.request_payload import Payload
from daas.deployments.scoring import CHUNK_ROWS
from daas.errors import BadRequest, InvalidInput, Timeout
from tests.deployments.fakes import (
    PREFIX,
    AdderRuntime,
    TensorRuntime,
    controls,
    harness,
    run,
    server_config,
    temporary_database,
)


def frame(*xs: float) -> pd.DataFrame:
    return pd.DataFrame({"x": list(xs), "y": [0.0] * len(xs)})


# -- time limit ------------------------------------------------------------------------------

def test_slow_prediction_is_504_and_the_loop_stays_free(tmp_path):
    slow = harness(tmp_path, AdderRuntime(delay=1.5), timeout_s=0.3)

    async def scenario():
        started = time.perf_counter()
        prediction = asyncio.ensure_future(slow.service.predict({"data": [{"x": 1, "y": 1}]}))
        ticks = 0
        while not prediction.done():  # the event loop keeps turning while the model runs
            await asyncio.sleep(0.01)
            ticks += 1
        with pytest.raises(Timeout) as caught:
            prediction.result()
        return time.perf_counter() - started, ticks, caught.value

    elapsed, ticks, error = run(scenario())
    assert 0.3 <= elapsed < 1.5 and ticks >= 10  # answered before the 1.5 s model finished
    assert error.status_code == 504 and error.details == {"timeout_s": 0.3}
    assert slow.service.stats()["errors"] == 1


def test_slow_prediction_over_http_is_504_json_and_the_replica_answers_after(tmp_path):
    slow = harness(tmp_path, AdderRuntime(delay=0.8), timeout_s=0.2)
    with slow.client() as client:
        response = client.post(f"{PREFIX}/predict", json={"data": [{"x": 1, "y": 1}]})
        assert response.status_code == 504
        assert response.json()["error"]["code"] == "timeout"
        assert client.get(f"{PREFIX}/metadata").status_code == 200
        slow.runtime.delay = 0
        time.sleep(0.7)  # the late thread finishes; its result is dropped
        assert client.post(f"{PREFIX}/predict",
                           json={"data": [{"x": 1, "y": 1}]}).status_code == 200


def test_a_timed_out_large_request_stops_at_the_next_chunk(tmp_path):
    slow = harness(tmp_path, AdderRuntime(delay=0.05), timeout_s=0.2)
    rows = [{"x": i, "y": 1} for i in range(20 * CHUNK_ROWS)]

    async def scenario():
        with pytest.raises(Timeout):
            await slow.service.predict({"data": rows})
        await asyncio.sleep(0.3)  # a chunk in progress may finish; no further chunk starts
        return list(slow.runtime.calls)

    calls = run(scenario())
    assert calls and set(calls) == {CHUNK_ROWS} and len(calls) < 10
    assert slow.runtime.calls == calls  # nothing ran after the abandoned chunk


def test_a_request_timed_out_while_its_body_is_parsed_is_not_decoded(tmp_path, monkeypatch):
    adder = harness(tmp_path, timeout_s=0.1)
    parse, decode, decoded = scoring.parse_document, scoring.decode_payload, []

    def slow_parse(payload):
        time.sleep(0.3)
        return parse(payload)

    def counted_decode(payload, schema):
        decoded.append(payload)
        return decode(payload, schema)

    monkeypatch.setattr(scoring, "parse_document", slow_parse)
    monkeypatch.setattr(scoring, "decode_payload", counted_decode)
    body = Payload(data=b'{"data": [{"x": 1, "y": 1}]}', content_type="application/json")

    async def scenario():
        with pytest.raises(Timeout):
            await adder.service.predict_encoded(body, "json")
        await asyncio.sleep(0.4)  # the parse finishes in its thread; nothing after it runs

    run(scenario())
    assert decoded == [] and adder.runtime.calls == []
    adder.service.scorer.timeout_s = 5
    assert run(adder.service.predict_encoded(body, "json"))[1] == "application/json"
    assert len(decoded) == 1 and decoded[0].json_body == {"data": [{"x": 1, "y": 1}]}


def test_large_requests_are_scored_in_chunks_with_the_same_answer(tmp_path):
    adder = harness(tmp_path)
    rows = [{"x": i, "y": 2} for i in range(2 * CHUNK_ROWS + 5)]
    answer = run(adder.service.predict({"data": rows}))
    assert adder.runtime.calls == [CHUNK_ROWS, CHUNK_ROWS, 5]
    assert [p["value"] for p in answer["predictions"]] == [i + 2 for i in range(len(rows))]
    refusing = harness(tmp_path / "refusing", AdderRuntime(refuse_above=CHUNK_ROWS + 2))
    with pytest.raises(InvalidInput) as caught:
        run(refusing.service.predict({"data": rows}))
    assert caught.value.details == {"field": "x", "row": CHUNK_ROWS + 3}  # counted in the request


# -- handle methods --------------------------------------------------------------------------

def test_handle_predict_takes_dicts_and_record_lists(tmp_path):
    adder = harness(tmp_path)
    expected = {"service": "adder", "model": "adder-model", "version": 3, "task": "regression",
                "predictions": [{"outputs": {"total": 3.0}, "value": 3.0}]}
    assert run(adder.service.predict({"data": [{"x": 1, "y": 2}]})) == expected
    assert run(adder.service.predict([{"x": 1, "y": 2}])) == expected
    with pytest.raises(InvalidInput):
        run(adder.service.predict([{"x": 1}]))


def test_infer_v2_on_a_row_model_answers_one_tensor_per_output(tmp_path):
    adder = harness(tmp_path)
    body = {"id": "req-1", "inputs": [
        {"name": "x", "shape": [2, 1], "datatype": "FP64", "data": [1, 2]},
        {"name": "y", "shape": [2], "datatype": "INT64", "data": [10, 20]}]}
    assert run(adder.service.infer_v2(body)) == {
        "model_name": "adder", "model_version": "3", "id": "req-1",
        "outputs": [{"name": "total", "shape": [2], "datatype": "FP64", "data": [11.0, 22.0]}]}


def test_infer_v2_on_a_tensor_model(tmp_path):
    tensors = harness(tmp_path, TensorRuntime())
    body = {"inputs": [{"name": "input", "shape": [2, 2], "datatype": "FP32",
                        "data": [1, 2, 3, 4]}], "outputs": [{"name": "output"}]}
    response = run(tensors.service.infer_v2(body))
    assert response["id"] is None
    assert response["outputs"] == [{"name": "output", "shape": [2], "datatype": "FP32",
                                    "data": [3.0, 7.0]}]


def test_infer_v2_refuses_other_shapes_and_unknown_outputs(tmp_path):
    adder = harness(tmp_path)
    with pytest.raises(BadRequest):
        run(adder.service.infer_v2({"data": [{"x": 1, "y": 2}]}))
    body = {"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": [1]},
                       {"name": "y", "shape": [1], "datatype": "FP64", "data": [1]}],
            "outputs": [{"name": "nope"}]}
    with pytest.raises(InvalidInput, match="no output 'nope'"):
        run(adder.service.infer_v2(body))


# -- batching --------------------------------------------------------------------------------

def test_predict_batch_merges_and_splits_rows():
    runtime = AdderRuntime()
    outcomes = predict_batch(runtime, [frame(1), frame(2, 3), frame(4)])
    assert runtime.calls == [4]
    assert [[row["value"] for row in rows] for rows in outcomes] == [[1.0], [2.0, 3.0], [4.0]]


def test_a_request_the_model_refuses_fails_alone():
    runtime = AdderRuntime(refuse_above=100)
    outcomes = predict_batch(runtime, [frame(1), frame(2, 500), frame(3)])
    assert runtime.calls == [4, 1, 2, 1]
    assert outcomes[0][0]["value"] == 1.0 and outcomes[2][0]["value"] == 3.0
    assert isinstance(outcomes[1], InvalidInput) and outcomes[1].row == 1


def test_split_rows_refuses_a_row_count_mismatch():
    parts = split_rows([{"value": 1}], [1, 1])
    assert all(isinstance(part, Exception) for part in parts)


def test_batched_service_scores_concurrent_requests_together(tmp_path):
    runtime = AdderRuntime(refuse_above=100)
    db = temporary_database(tmp_path)

    pending: list[tuple[pd.DataFrame, asyncio.Future]] = []

    def score_pending():  # stands in for @serve.batch, which needs a replica
        batch = list(pending)
        pending.clear()
        for (_, future), outcome in zip(batch, predict_batch(runtime, [f for f, _ in batch])):
            future.set_result(outcome)

    async def batched_rows(rows_frame):
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        pending.append((rows_frame, future))
        if len(pending) == 1:
            loop.call_later(0.2, score_pending)
        outcome = await future
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    service = ModelService(server_config(runtime, db), runtime, db, replica="r1",
                           controls=controls(), batched_rows=batched_rows)
    bodies = [{"data": [{"x": i, "y": 1}]} for i in range(5)]
    bodies.append({"data": [{"x": 1}]})            # refused while decoding, before batching
    bodies.append({"data": [{"x": 500, "y": 1}]})  # refused by the model inside the batch

    async def all_at_once():
        return await asyncio.gather(*(service.predict(b) for b in bodies), return_exceptions=True)

    results = run(all_at_once())
    assert [r["predictions"][0]["value"] for r in results[:5]] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert isinstance(results[5], InvalidInput) and results[5].field == "y"
    assert isinstance(results[6], InvalidInput) and results[6].field == "x"
    assert runtime.calls[0] == 6  # five good rows and the refused one, in one model call
