"""The permission table as a table: every permission x every action x own/other's object.

The expected answers are written out here from the issue's words (read sees; change also
creates, redeploys, and stops or deletes what it made; manage also stops and deletes anything
and manages the group), not derived from ``policy.RULES``, so a changed rule fails here.
"""

from __future__ import annotations

import pytest

from daas.errors import Forbidden
from daas.platform.access.policy import (
    Action,
    GroupRef,
    Principal,
    allowed,
    check,
    require_platform_admin,
    rules_table,
)

TEAM = GroupRef(7, "team")
OTHER_TEAM = GroupRef(8, "elsewhere")
#: The permission each action needs: (on the caller's own object, on another member's).
NEEDS = {
    Action.READ: ("read", "read"),
    Action.CREATE: ("change", "change"),
    Action.CHANGE: ("change", "change"),
    Action.STOP: ("change", "manage"),
    Action.DELETE: ("change", "manage"),
    Action.MANAGE: ("manage", "manage"),
}
RANK = {None: -1, "read": 0, "change": 1, "manage": 2}
#: Who calls: a permission in ``team``, none at all, or a platform admin without membership.
HOLDERS = ("none", "read", "change", "manage", "platform admin")


def principal(holder: str) -> Principal:
    """User ``ada`` holding ``holder`` in ``team`` (and manage in another group)."""
    memberships = {OTHER_TEAM.id: "manage"}
    if holder in ("read", "change", "manage"):
        memberships[TEAM.id] = holder
    return Principal(user_id=1, name="ada", token_id=1, token_name="t",
                     platform_admin=holder == "platform admin", memberships=memberships)


def expected(holder: str, action: Action, own: bool) -> bool:
    if holder == "platform admin":
        return True
    held = None if holder == "none" else holder
    return RANK[held] >= RANK[NEEDS[action][0 if own else 1]]


CASES = [(holder, action, own) for holder in HOLDERS for action in Action for own in (True, False)]


def test_the_table_covers_every_action() -> None:
    assert set(NEEDS) == set(Action)
    assert rules_table() == {action.value: {"own": own, "other": other}
                             for action, (own, other) in NEEDS.items()}


@pytest.mark.parametrize(("holder", "action", "own"), CASES,
                         ids=[f"{h}-{a.value}-{'own' if o else 'other'}" for h, a, o in CASES])
def test_each_permission_action_and_owner(holder: str, action: Action, own: bool) -> None:
    caller = principal(holder)
    owner = "ada" if own else "grace"
    assert allowed(caller, TEAM.id, action, owner) is expected(holder, action, own)
    if expected(holder, action, own):
        check(caller, TEAM, action, owner)
        return
    with pytest.raises(Forbidden) as denied:
        check(caller, TEAM, action, owner)
    need = NEEDS[action][0 if own else 1]
    assert denied.value.status_code == 403
    assert denied.value.details["permission"] == need
    assert denied.value.details["group"] == "team"
    assert f"needs the {need} permission on group 'team'" in denied.value.message
    held = None if holder == "none" else holder
    assert denied.value.details["held"] == held


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_no_owner_counts_as_someone_elses(action: Action) -> None:
    caller = principal("change")
    assert allowed(caller, TEAM.id, action) is expected("change", action, own=False)


def test_a_permission_in_one_group_gives_nothing_in_another() -> None:
    caller = principal("none")
    assert allowed(caller, OTHER_TEAM.id, Action.MANAGE)
    with pytest.raises(Forbidden) as denied:
        check(caller, TEAM, Action.READ)
    assert "has no access to it" in denied.value.message


def test_denials_say_whose_object_it_is() -> None:
    with pytest.raises(Forbidden) as denied:
        check(principal("change"), TEAM, Action.DELETE, owner="grace")
    assert "created by 'grace'" in denied.value.message


def test_platform_admin_is_a_permission_of_its_own() -> None:
    require_platform_admin(principal("platform admin"), "creating users")
    with pytest.raises(Forbidden) as denied:
        require_platform_admin(principal("manage"), "creating users")
    assert denied.value.details == {"permission": "platform_admin"}
    assert "creating users needs the platform admin permission" in denied.value.message
