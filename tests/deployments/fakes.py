"""Small fake runtimes and a service factory for model-server tests without Ray."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from starlette.requests import Request
from sqlmodel import select
from starlette.testclient import TestClient

from daas.deployments.model_service import ModelService
from daas.deployments.server_config import ServerConfig, ServiceControls
from daas.deployments.service_endpoint import ServiceEndpoint
from daas.errors import InvalidInput
from daas.platform.tokens.service import TokenService
from daas.runtimes.base import ModelRuntime, ModelSchema, Variable
from daas.store.db import Database
from daas.store.tables import Group, GroupMember, Service, User
from daas.store.migrate import upgrade
from daas.store.tokens import hash_token

SERVICE_KEY = "svc-key-for-tests"
PREFIX = "/api/v1/svc/adder"


class AdderRuntime(ModelRuntime):
    """A row model: ``total = x + y``; refuses ``x`` above ``refuse_above`` when predicting,
    and sleeps ``delay`` seconds per call."""

    format = "pmml"

    def __init__(self, delay: float = 0.0, refuse_above: float | None = None) -> None:
        self.delay = delay
        self.refuse_above = refuse_above
        self.calls: list[int] = []
        self._lock = threading.Lock()
        self._schema = ModelSchema(
            format="pmml", engine="fake", task="regression", algorithm="Adder",
            inputs=[Variable(name="x", dtype="double", optype="continuous"),
                    Variable(name="y", dtype="double", optype="continuous")],
            targets=[Variable(name="total", dtype="double", optype="continuous")])

    @classmethod
    def load(cls, data: bytes) -> AdderRuntime:
        return cls()

    @property
    def schema(self) -> ModelSchema:
        return self._schema

    def predict(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        with self._lock:
            self.calls.append(len(frame))
        if self.delay:
            time.sleep(self.delay)
        if self.refuse_above is not None:
            bad = np.flatnonzero(frame["x"].to_numpy() > self.refuse_above)
            if bad.size:
                raise InvalidInput(f"x is above {self.refuse_above}", field="x", row=int(bad[0]))
        totals = (frame["x"] + frame["y"]).tolist()
        return [{"outputs": {"total": t}, "value": t} for t in totals]


class TensorRuntime(ModelRuntime):
    """A tensor model: ``output`` is the row sums of a ``[None, 2]`` float ``input``."""

    format = "onnx"

    def __init__(self) -> None:
        self._schema = ModelSchema(
            format="onnx", engine="fake", task="tensor", algorithm="Sum", tabular=False,
            inputs=[Variable(name="input", dtype="float", shape=[None, 2])],
            outputs=[Variable(name="output", dtype="float", shape=[None])])

    @classmethod
    def load(cls, data: bytes) -> TensorRuntime:
        return cls()

    @property
    def schema(self) -> ModelSchema:
        return self._schema

    def predict(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        sums = np.stack(frame["input"].tolist()).sum(axis=1)
        return [{"outputs": {"output": float(s)}} for s in sums]

    def predict_tensors(self, inputs: dict[str, Any]) -> dict[str, Any]:
        return {"output": np.asarray(inputs["input"], dtype=np.float32).sum(axis=1)}


def temporary_database(tmp_path: Path) -> Database:
    """A migrated SQLite file under ``tmp_path``."""
    db = Database.connect(f"sqlite:///{tmp_path / 'daas.db'}")
    upgrade(db)
    return db


def server_config(runtime: ModelRuntime, db: Database, **overrides: Any) -> ServerConfig:
    """A ServerConfig for service ``adder`` around ``runtime``."""
    values = dict(service="adder", model="adder-model", version=3, task=runtime.schema.task,
                  format=runtime.schema.format, storage_uri="unused", storage_key="unused",
                  sha256="0" * 64, model_schema=runtime.schema.model_dump(mode="json"),
                  database_url=db.url)
    values.update(overrides)
    return ServerConfig(**values)


def controls(**overrides: Any) -> ServiceControls:
    """The controls of service ``adder``: its key ``SERVICE_KEY``, open."""
    return ServiceControls(**{"key_hash": hash_token(SERVICE_KEY), **overrides})


def user_token(db: Database, name: str = "alice", permission: str | None = "read") -> tuple[int, str]:
    """A new user ``name`` with ``permission`` on group ``default`` (None: not a member) and
    a token of theirs: ``(token id, secret)``."""
    with db.write() as session:
        group = session.exec(select(Group).where(Group.name == "default")).one()
        user = User(name=name, default_group_id=group.id)
        session.add(user)
        session.flush()
        if permission is not None:
            session.add(GroupMember(group_id=group.id, user_id=user.id, permission=permission))
        user_id = user.id
    row, secret = TokenService(db).create(user_id, f"{name}-token")
    return row.id, secret


def default_group_id(db: Database) -> int:
    """The id of group ``default`` (every migrated database has it)."""
    with db.read() as session:
        return session.exec(select(Group.id).where(Group.name == "default")).one()


@dataclass
class Harness:
    """A ModelService and its HTTP endpoint, served by a Starlette test client."""

    service: ModelService
    runtime: ModelRuntime
    db: Database

    def client(self, token: str | None = SERVICE_KEY) -> TestClient:
        """A test client (use it as a context manager) sending ``token``."""
        endpoint = ServiceEndpoint(self.service)
        service = self.service

        async def app(scope, receive, send):
            if scope["type"] == "lifespan":
                while (await receive())["type"] != "lifespan.shutdown":
                    service.start()
                    await send({"type": "lifespan.startup.complete"})
                await service.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
            response = await endpoint(Request(scope, receive))
            await response(scope, receive, send)

        client = TestClient(app, base_url="http://testserver", root_path=PREFIX,
                            raise_server_exceptions=False)
        if token:
            client.headers["Authorization"] = f"Bearer {token}"
        return client


def harness(tmp_path: Path, runtime: ModelRuntime | None = None, *, db: Database | None = None,
            **config: Any) -> Harness:
    """A service named ``adder`` over ``db`` (default: a fresh SQLite file)."""
    runtime = runtime or AdderRuntime()
    db = db or temporary_database(tmp_path)
    with db.write() as session:  # the row whose group user tokens need read on
        session.add(Service(group_id=default_group_id(db), name="adder", model_name="adder-model",
                            model_version=3, spec={}, key_hash=hash_token(SERVICE_KEY)))
    control_fields = {k: config.pop(k) for k in list(config) if k in ServiceControls.model_fields}
    service = ModelService(server_config(runtime, db, **config), runtime, db, replica="r1",
                           controls=controls(**control_fields))
    return Harness(service, runtime, db)


def run(coroutine):
    """Run a coroutine on a fresh event loop."""
    return asyncio.run(coroutine)
