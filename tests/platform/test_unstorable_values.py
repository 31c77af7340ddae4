"""Text PostgreSQL cannot store (a NUL character) is the caller's 422, never a 500; SQLite
keeps it as sent."""

from __future__ import annotations

from tests.conftest import PMML_DIR, both_backends

pytestmark = both_backends

PMML = (PMML_DIR / "DecisionTreeIris.pmml").read_bytes()


def test_a_nul_character_in_text_is_kept_or_refused_with_the_reason(client, database_url):
    uploaded = client.post("/api/v1/models", files={"file": ("m.pmml", PMML)},
                           data={"name": "iris", "description": "before\x00after"})
    searched = client.get("/api/v1/models", params={"q": "fore\x00af"})
    if database_url is None:  # SQLite
        assert uploaded.status_code == 201, uploaded.text
        assert client.get("/api/v1/models/iris").json()["description"] == "before\x00after"
        assert searched.status_code == 200 and searched.json()["total"] == 1
        return
    for answer in (uploaded, searched):
        assert answer.status_code == 422, answer.text
        assert "NUL" in answer.json()["error"]["message"], answer.text
    assert client.get("/api/v1/models/iris").status_code == 404  # nothing half-stored
