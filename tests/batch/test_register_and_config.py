"""Registering a run's output dataset, and validating job configs — no Ray needed."""

from __future__ import annotations

import pytest
from sqlmodel import select

from daas.batch.config import parse_config
from daas.batch.register import register_run_output
from daas.errors import Conflict, InvalidInput
from daas.store.tables import Dataset
from tests.conftest import both_backends
from tests.deployments.fakes import default_group_id

pytestmark = both_backends


@pytest.fixture
def db(database):
    return database


def _register(db, name="scores", run_id=7):
    return register_run_output(db, group_id=default_group_id(db), name=name, run_id=run_id, storage_key=f"runs/{run_id}",
                               rows=12, columns=[{"name": "id", "type": "int64"}],
                               size_bytes=345, created_by="alice")


def test_a_run_output_becomes_a_dataset_once(db):
    first = _register(db)
    again = _register(db)
    assert again.id == first.id
    with db.read() as session:
        (row,) = session.exec(select(Dataset)).all()
    assert (row.name, row.origin_format, row.source, row.storage_key, row.rows, row.size_bytes,
            row.columns, row.created_by) == ("scores", "job", "run:7", "runs/7", 12, 345,
                                             [{"name": "id", "type": "int64"}], "alice")


def test_a_name_taken_by_another_dataset_is_a_conflict(db):
    _register(db, run_id=1)
    with pytest.raises(Conflict, match="already exists"):
        _register(db, run_id=2)


def test_config_defaults_and_requirements():
    config = parse_config("predict", {"model": "m", "input_dataset": "in", "output_dataset": "out"})
    assert (config.version, config.batch_size, config.concurrency, config.num_cpus,
            config.passthrough) == (None, 4096, 2, 1.0, [])
    evaluate = parse_config("evaluate", {"model": "m", "input_dataset": "in", "label_column": "y"})
    assert evaluate.output_dataset is None
    with pytest.raises(InvalidInput, match="config.output_dataset") as caught:
        parse_config("predict", {"model": "m", "input_dataset": "in"})
    assert caught.value.field == "config.output_dataset"
    with pytest.raises(InvalidInput, match="config.batch_size") as caught:
        parse_config("predict", {"model": "m", "input_dataset": "in", "output_dataset": "o",
                                 "batch_size": 0})
    assert caught.value.field == "config.batch_size"
    with pytest.raises(InvalidInput, match="more than once"):
        parse_config("predict", {"model": "m", "input_dataset": "in", "output_dataset": "o",
                                 "passthrough": ["id", "id"]})
    with pytest.raises(InvalidInput, match="either `model`"):
        parse_config("predict", {"model": "m", "service": "s", "input_dataset": "in",
                                 "output_dataset": "o"})
    with pytest.raises(InvalidInput, match="config.nope"):
        parse_config("predict", {"model": "m", "input_dataset": "in", "output_dataset": "o",
                                 "nope": 1})


def test_run_errors_are_one_short_line():
    from daas.batch.driver import short_error

    class Wrapped(Exception):
        def __init__(self, cause):
            super().__init__("ray::MapBatches() (pid=1)\n  Traceback ...\n    more")
            self.cause = cause

    assert short_error(Wrapped(InvalidInput("row 1, field 'x': bad"))) == "row 1, field 'x': bad"
    assert short_error(Wrapped(ValueError("boom\nTraceback (most recent call last):"))) == \
        "ValueError: boom"
    assert short_error(KeyError()) == "KeyError"
