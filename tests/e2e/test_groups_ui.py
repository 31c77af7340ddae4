"""Groups in a real Chromium against the live platform: sharing with read, then with change.

Ann owns group team-a with a running service and shares it with Bob as read: Bob switches to
team-a and sees the service, but no deploy or delete button. Ann gives Bob change: after a
reload Bob deploys his own service in team-a and deletes it, while Ann's service shows him no
delete button and the API refuses him with 403 naming the manage permission. The members page
and the audit log are saved as screenshots.
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import PMML_DIR
from tests.e2e.browser import signed_in_page
from tests.e2e.conftest import screenshot
from tests.e2e.ui import by_id, choose, confirm, expect_state, fill
from tests.live.helpers import api, wait_for_state

pytestmark = [pytest.mark.ray, pytest.mark.browser]

GROUP = "team-a"
MODEL = "ui-team-iris"
ANNS = "ui-ann-iris"
BOBS = "ui-bob-iris"


def make_user(live, name: str) -> str:
    """A user made by the platform admin through the API, and a token of theirs."""
    with api(live) as http:
        created = http.post("/api/v1/users", json={"name": name})
        assert created.status_code == 201, created.text
        token = http.post(f"/api/v1/users/{name}/tokens", json={"name": "browser"})
        assert token.status_code == 201, token.text
    return token.json()["token"]


def as_user(live, token: str) -> httpx.Client:
    return httpx.Client(base_url=live.url, headers={"Authorization": f"Bearer {token}"}, timeout=120)


def share(ann: httpx.Client, user: str, permission: str) -> None:
    answer = ann.put(f"/api/v1/groups/{GROUP}/members/{user}", json={"permission": permission})
    assert answer.status_code == 200, answer.text


def test_a_shared_group_shows_each_member_the_buttons_their_permission_allows(live_platform, browser) -> None:
    ann_token, bob_token = make_user(live_platform, "ui-ann"), make_user(live_platform, "ui-bob")
    with as_user(live_platform, ann_token) as ann:
        # Ann's group, a model in it and a small service of hers.
        assert ann.post("/api/v1/groups", json={"name": GROUP}).status_code == 201
        pmml = PMML_DIR / "DecisionTreeIris.pmml"
        uploaded = ann.post("/api/v1/models", params={"group": GROUP},
                            files={"file": (pmml.name, pmml.read_bytes())}, data={"name": MODEL})
        assert uploaded.status_code == 201, uploaded.text
        deployed = ann.post("/api/v1/services", params={"group": GROUP},
                            json={"name": ANNS, "model": MODEL, "num_cpus": 0.25})
        assert deployed.status_code == 201, deployed.text
        wait_for_state(live_platform, ANNS, timeout_s=180)
        share(ann, "ui-bob", "read")

        # Bob starts in his own group, which holds nothing; team-a is in his switcher.
        page = signed_in_page(browser, live_platform.url, bob_token)
        page.goto("/services")
        expect(by_id(page, "service-table")).to_contain_text("No services yet")
        choose(page, "group-switch", GROUP)
        expect(by_id(page, "group-permission")).to_have_attribute("data-permission", "read")
        expect(page.get_by_role("link", name=ANNS)).to_be_visible()
        expect(by_id(page, "deploy-service")).to_have_count(0)
        screenshot(page, "30-group-read-services")

        # Read: the service and the model, without deploy, pause or delete.
        page.goto(f"/services/{ANNS}")
        expect_state(page, "service-state", "running")
        for button in ("service-delete", "service-pause", "service-scale"):
            expect(by_id(page, button)).to_have_count(0)
        screenshot(page, "31-group-read-service")
        page.goto(f"/models/{MODEL}")
        expect(page.get_by_text(MODEL).first).to_be_visible()
        for button in ("deploy-model", "delete-version", "delete-model"):
            expect(by_id(page, button)).to_have_count(0)
        page.goto(f"/groups/{GROUP}")
        expect(by_id(page, "members-table")).to_contain_text("ui-ann")
        expect(by_id(page, "members-read-only")).to_be_visible()
        expect(by_id(page, "member-add")).to_have_count(0)
        screenshot(page, "32-group-members-read")

        # Change: after a reload (the choice of group is remembered) Bob deploys his own service.
        share(ann, "ui-bob", "change")
        page.reload()
        expect(by_id(page, "group-permission")).to_have_attribute("data-permission", "change")
        page.goto(f"/models/{MODEL}")
        by_id(page, "deploy-model").click()
        page.wait_for_url(re.compile(r"/services/new"))
        fill(page, "deploy-name", BOBS)
        fill(page, "deploy-cpus", 0.25)
        by_id(page, "deploy-submit").click()
        page.wait_for_url(re.compile(rf"/services/{BOBS}"))
        expect_state(page, "service-state", "running", timeout_s=180)
        expect(by_id(page, "service-delete")).to_be_visible()
        screenshot(page, "33-group-change-own-service")

        # Ann's service: Bob may scale it, but neither pause nor delete it, and the API agrees.
        page.goto(f"/services/{ANNS}")
        expect(by_id(page, "service-scale")).to_be_visible()
        expect(by_id(page, "service-delete")).to_have_count(0)
        expect(by_id(page, "service-pause")).to_have_count(0)
        screenshot(page, "34-group-change-others-service")
        with as_user(live_platform, bob_token) as bob:
            refused = bob.delete(f"/api/v1/services/{ANNS}")
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["details"]["permission"] == "manage"

        # Bob deletes his own service from its page.
        page.goto(f"/services/{BOBS}")
        by_id(page, "service-delete").click()
        confirm(page)
        page.wait_for_url(re.compile(r"/services/?$"), timeout=60_000)
        wait_for_state(live_platform, BOBS, "gone", timeout_s=120)
        expect(page.get_by_role("link", name=ANNS)).to_be_visible()

        # The audit log names who shared, deployed and deleted.
        page.goto(f"/groups/{GROUP}?tab=audit")
        log = by_id(page, "audit-table")
        for text in ("ui-ann", "ui-bob", BOBS, "share", "deploy", "delete"):
            expect(log).to_contain_text(text)
        choose(page, "audit-action", "delete")
        expect(log).to_contain_text(BOBS)
        expect(log).not_to_contain_text("share")
        screenshot(page, "35-group-audit")

        # Ann, a manager, sees the member editor; her service goes, keeping the cluster free.
        page = signed_in_page(browser, live_platform.url, ann_token)
        choose(page, "group-switch", GROUP)
        page.goto(f"/groups/{GROUP}")
        expect(by_id(page, "member-add")).to_be_visible()
        expect(by_id(page, "member-permission-ui-bob")).to_contain_text("change")
        screenshot(page, "36-group-members-manage")
        assert ann.delete(f"/api/v1/services/{ANNS}").status_code == 202
        wait_for_state(live_platform, ANNS, "gone", timeout_s=120)
