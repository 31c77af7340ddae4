"""Code execution is a grant of its own, and job ``env`` values are write-only secrets.

A script job runs arbitrary Python on the cluster as the platform's user, next to the admin
token and the database, so whoever may create, change or run one is as strong as a platform
admin. It therefore needs the code-execution grant: platform admins and users given
``code_execution`` hold it, and with ``DAAS_CODE_EXECUTION_ROLE=editor`` also every member
with change on the job's group. It comes on top of the group permission the act needs
(``daas.platform.access.policy``). A script's source is shown only to holders of the grant,
and ``env`` values are never shown back to anyone once saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from daas.errors import Forbidden, InvalidInput
from daas.platform.access.policy import Action, GroupRef, Principal, allowed
from daas.store.tables import Job

#: What every stored ``env`` value reads as in responses, and what keeps it in an update.
MASK = "***"
#: Job kinds whose runs execute the caller's own code.
CODE_KINDS = frozenset({"script"})
#: The group permission creating, changing or running a job of any kind needs.
JOB_PERMISSION = "change"
SETTING = "DAAS_CODE_EXECUTION_ROLE"
#: Shortest ``env`` value hidden in run logs: shorter ones are words ("true", "debug") whose
#: every occurrence would be blanked out, not secrets.
_SHORTEST_REDACTED = 8


@dataclass(frozen=True)
class CodeExecution:
    """Who may run their own code on the cluster, from ``DAAS_CODE_EXECUTION_ROLE``.

    ``admin``: platform admins and users granted ``code_execution``; ``editor``: also the
    members with change on the job's group.
    """

    role: str = "admin"

    def allows(self, principal: Principal, group: GroupRef) -> bool:
        """Whether ``principal`` may create, change, run and read script jobs of ``group``."""
        if principal.platform_admin or principal.code_execution:
            return True
        return self.role == "editor" and allowed(principal, group.id, Action.CHANGE)

    def holders(self) -> str:
        """Who holds the grant, in words."""
        extra = ", and members with change on the job's group" if self.role == "editor" else ""
        return f"platform admins and users granted code execution{extra}"

    def require(self, principal: Principal, group: GroupRef, kind: str, action: str) -> None:
        """Raise ``Forbidden`` when ``action`` on a ``kind`` job runs code ``principal`` may not."""
        if kind not in CODE_KINDS or self.allows(principal, group):
            return
        raise Forbidden(
            f"{action} needs the code-execution permission, because a {kind} job runs its own "
            f"code on the cluster; user {principal.name!r} does not hold it for group "
            f"{group.name!r}. It is held by {self.holders()} ({SETTING}={self.role}); a "
            "platform admin can grant it to the user.",
            details={"permission": "code_execution", "role": self.role, "setting": SETTING})


def shown_config(kind: str, config: dict[str, Any], may_run_code: bool) -> tuple[dict[str, Any], list[str]]:
    """A stored config as a response shows it, and the fields withheld from this caller.

    ``env`` values read ``***`` for everyone; a script's ``source`` is left out unless the
    caller may run code.
    """
    shown = dict(config)
    if isinstance(shown.get("env"), dict):
        shown["env"] = {name: MASK for name in shown["env"]}
    withheld = []
    if kind in CODE_KINDS and not may_run_code and "source" in shown:
        del shown["source"]
        withheld.append("source")
    return shown, withheld


def keep_env_secrets(config: dict[str, Any], stored: dict[str, str]) -> dict[str, Any]:
    """A script config sent by a client, its ``***`` env values replaced by the stored ones.

    ``env`` left out keeps every stored variable; a variable left out of a given ``env`` is
    removed.
    """
    if "env" not in config:
        return {**config, "env": dict(stored)} if stored else config
    env = config["env"]
    if not isinstance(env, dict):
        return config  # the config model names the type error
    unknown = [name for name, value in env.items() if value == MASK and name not in stored]
    if unknown:
        field = f"config.env.{unknown[0]}"
        raise InvalidInput(f"{field}: {MASK} keeps a stored value, and this job has none for "
                           f"{unknown[0]}; send the value itself", field=field)
    return {**config, "env": {name: stored[name] if value == MASK else value
                              for name, value in env.items()}}


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret of 8 characters or more (a secret, not a word) as ``***``."""
    for value in sorted(set(secrets), key=len, reverse=True):
        if len(value) >= _SHORTEST_REDACTED:
            text = text.replace(value, MASK)
    return text


def job_secrets(job: Job | None) -> list[str]:
    """Every value the job's ``env`` holds or has held: what its runs' logs and errors hide."""
    if job is None:
        return []
    return [*(job.config.get("env") or {}).values(), *(job.retired_secrets or [])]


def retire_secrets(old: dict[str, Any], new: dict[str, Any], retired: list[str]) -> list[str]:
    """``retired`` plus the ``env`` values of config ``old`` that config ``new`` no longer has."""
    kept = set((new.get("env") or {}).values())
    gone = [value for value in (old.get("env") or {}).values()
            if len(value) >= _SHORTEST_REDACTED and value not in kept]
    return list(dict.fromkeys([*retired, *gone]))
