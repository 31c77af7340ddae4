"""Upgrading a database made by the schema before users and groups (revision 0003).

Rows are written as that schema had them (tokens with a global role, objects without a
group); after the upgrade every token still authenticates, as a user named after it, with its
role's permission in group ``default``, and every object is in ``default``.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from daas.platform.tokens.service import TokenService
from daas.store.db import Database
from daas.store.migrate import alembic_config, upgrade
from daas.store.tables import Dataset, Group, Job, JobRun, Model, Service, User
from daas.store.tokens import hash_token
from tests.conftest import both_backends

pytestmark = both_backends

NOW = datetime(2026, 11, 30, 12, 0, 0)
#: (token name, role, expected user name, expected permission in ``default``)
TOKENS = [
    ("alice", "viewer", "alice", "read"),
    ("bob", "editor", "bob", "change"),
    ("root", "admin", "root", "manage"),
    ("alice", "editor", "alice-2", "change"),
    ("ci pipeline", "viewer", "ci-pipeline", "read"),
]


def _insert(connection, table: str, **values) -> int:
    columns = ", ".join(values)
    marks = ", ".join(f":{key}" for key in values)
    return connection.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"),
                              values).scalar_one()


def _old_rows(connection) -> dict[str, str]:
    """Rows as revision 0003 stored them; returns token secret by expected user name."""
    secrets = {}
    for token_name, role, user, _permission in TOKENS:
        secret = f"daas_old_{user}"
        _insert(connection, "api_token", name=token_name, role=role, token_hash=hash_token(secret),
                created=NOW, created_by="bootstrap")
        secrets[user] = secret
    model = _insert(connection, "model", name="iris", description="old", created=NOW, updated=NOW,
                    created_by="bob")
    _insert(connection, "model_version", model_id=model, version=1, format="pmml", engine="pypmml",
            algorithm="TreeModel", task="classification", schema='{"inputs": [], "outputs": []}',
            size=10, sha256="0" * 64, storage_key="models/x", created=NOW, created_by="bob")
    _insert(connection, "service", name="iris-svc", model_name="iris", model_version=1, spec="{}",
            desired="running", state="running", key_hash="1" * 64, generation=1, created=NOW,
            updated=NOW, created_by="bob")
    _insert(connection, "dataset", name="scores", origin_format="csv", source="upload:s.csv",
            storage_key="datasets/s", size_bytes=5, rows=1, columns="[]", created=NOW,
            created_by="bob")
    _insert(connection, "job", name="nightly", kind="predict", config="{}", timezone="UTC",
            enabled=True, allow_overlap=False, catch_up=True, created=NOW, updated=NOW,
            created_by="bob")
    _insert(connection, "job_run", job_name="nightly", status="succeeded", trigger="manual",
            created=NOW, rows_done=1, created_by="bob")
    return secrets


@pytest.fixture
def migrated(empty_database_url):
    """A database made at revision 0003, filled, then upgraded to the newest revision."""
    db = Database.connect(empty_database_url)
    config = alembic_config(db.url)
    with db.writer.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    with db.writer.begin() as connection:
        secrets = _old_rows(connection)
    upgrade(db)
    yield db, secrets
    db.dispose()


def test_every_old_token_is_a_user_with_its_roles_permission(migrated) -> None:
    db, secrets = migrated
    tokens = TokenService(db)
    with db.read() as session:
        default = session.exec(select(Group).where(Group.name == "default")).one()
    for token_name, role, user, permission in TOKENS:
        principal = tokens.authenticate(secrets[user])
        assert (principal.name, principal.token_name) == (user, token_name)
        assert principal.memberships == {default.id: permission}
        assert principal.platform_admin is (role == "admin")
        assert principal.code_execution is (role == "admin")
        assert principal.default_group.name == "default"
    with db.read() as session:
        assert sorted(session.exec(select(User.name))) == sorted(user for _, _, user, _ in TOKENS)


def test_every_object_is_in_the_default_group(migrated) -> None:
    db, _secrets = migrated
    with db.read() as session:
        default = session.exec(select(Group).where(Group.name == "default")).one()
        for table in (Model, Service, Dataset, Job, JobRun):
            group_ids = set(session.exec(select(table.group_id)))
            assert group_ids == {default.id}, table.__tablename__


def test_timestamps_keep_their_utc_time(migrated) -> None:
    db, _secrets = migrated
    with db.read() as session:
        model = session.exec(select(Model)).one()
        run = session.exec(select(JobRun)).one()
    assert model.created == run.created == NOW.replace(tzinfo=timezone.utc)


def test_names_are_unique_per_group_after_the_upgrade(migrated) -> None:
    db, _secrets = migrated
    with db.write() as session:
        other = Group(name="other")
        session.add(other)
        session.flush()
        session.add(Model(group_id=other.id, name="iris"))
        session.add(Dataset(group_id=other.id, name="scores", origin_format="csv", source="x",
                            storage_key="k", size_bytes=1, rows=1, columns=[]))
        session.add(Job(group_id=other.id, name="nightly", kind="predict", config={}))
    with db.read() as session:
        assert len(session.exec(select(Model).where(Model.name == "iris")).all()) == 2
        default_id = session.exec(select(Group.id).where(Group.name == "default")).one()
    for row in (Model(group_id=default_id, name="iris"),
                Job(group_id=default_id, name="nightly", kind="predict", config={})):
        with pytest.raises(IntegrityError), db.write() as session:
            session.add(row)


def test_the_old_tokens_reach_the_same_objects_over_http(migrated, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from daas.platform.app import create_app
    from tests.conftest import make_settings
    from tests.fakes import FakeJobs, FakeServe, InProcessWorker

    db, secrets = migrated
    settings = make_settings(tmp_path / "home", database_url=db.url)
    app = create_app(settings, InProcessWorker(), FakeServe(), FakeJobs())
    for user in ("alice", "bob", "root", "alice-2"):
        client = TestClient(app, raise_server_exceptions=False,
                            headers={"Authorization": f"Bearer {secrets[user]}"})
        me = client.get("/api/v1/auth/me").json()
        assert me["name"] == user and me["default_group"] == "default", me
        for path, key in (("/api/v1/models", "iris"), ("/api/v1/datasets", "scores"),
                          ("/api/v1/jobs", "nightly"), ("/api/v1/services", "iris-svc")):
            listed = client.get(path)
            assert listed.status_code == 200, f"{user} {path}: {listed.text}"
            assert key in listed.text, f"{user} {path}: {listed.text}"
    viewer = TestClient(app, raise_server_exceptions=False,
                        headers={"Authorization": f"Bearer {secrets['alice']}"})
    assert viewer.get("/api/v1/models/iris").status_code == 200
    assert viewer.delete("/api/v1/models/iris").status_code == 403
