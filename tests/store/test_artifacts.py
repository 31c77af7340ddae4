"""The artifact store's one verified load, shared by replicas, the workbench and batch actors."""

from __future__ import annotations

import pytest

from daas.errors import InvalidModel, NotFound
from daas.store.artifacts import ArtifactRef, ArtifactStore, load_artifact


def test_a_stored_file_loads_when_its_digest_matches(tmp_path) -> None:
    store = ArtifactStore(str(tmp_path / "artifacts"))
    digest, key = store.put_model(b"<PMML/>")
    assert load_artifact(ArtifactRef(store.uri, key, digest, "pmml")) == b"<PMML/>"


def test_a_file_changed_in_storage_is_refused(tmp_path) -> None:
    store = ArtifactStore(str(tmp_path / "artifacts"))
    digest, key = store.put_model(b"<PMML/>")
    store.put(key, b"<PMML>tampered</PMML>")
    with pytest.raises(InvalidModel, match="does not match"):
        load_artifact(ArtifactRef(store.uri, key, digest, "pmml"))


def test_a_missing_file_is_not_found(tmp_path) -> None:
    store = ArtifactStore(str(tmp_path / "artifacts"))
    with pytest.raises(NotFound):
        load_artifact(ArtifactRef(store.uri, "models/00/none", "0" * 64, "onnx"))
