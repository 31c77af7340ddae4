"""Ray's token authentication for the platform: the token file and the variables Ray reads.

Ray (2.5x+) reads ``RAY_AUTH_MODE=token`` and the token from ``RAY_AUTH_TOKEN`` (value),
else ``RAY_AUTH_TOKEN_PATH`` (file), else ``~/.ray/auth_token``. The platform never relies
on the last one: it always names the token explicitly, and every process Ray starts
(raylet, GCS, dashboard, workers, Serve replicas, job drivers) inherits these variables.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import httpx

from daas.errors import Unavailable

TOKEN_FILE = "ray-auth-token"
_MODE = "RAY_AUTH_MODE"
_TOKEN = "RAY_AUTH_TOKEN"
_TOKEN_PATH = "RAY_AUTH_TOKEN_PATH"


def ensure_token_file(home: Path) -> Path:
    """The data dir's Ray token file, created (random, mode 0600) on first use."""
    path = home / TOKEN_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)
        return path
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path


def local_head_environment(home: Path) -> dict[str, str]:
    """Variables giving a head ``daas up`` starts (and everything joining it) its token."""
    return {_MODE: "token", _TOKEN_PATH: str(ensure_token_file(home))}


def join_environment(home: Path) -> dict[str, str]:
    """Variables for joining an existing cluster, whose token must be given explicitly.

    The token comes from ``RAY_AUTH_TOKEN``/``RAY_AUTH_TOKEN_PATH`` if set, else from the
    data dir's token file; without any, joining is refused.
    """
    if os.environ.get(_TOKEN) or os.environ.get(_TOKEN_PATH):
        return {_MODE: "token"}
    path = home / TOKEN_FILE
    if not path.is_file():
        raise Unavailable(
            "joining a Ray cluster needs its auth token (the cluster must run with "
            f"RAY_AUTH_MODE=token): put it in {path} (mode 0600) or set RAY_AUTH_TOKEN_PATH")
    return {_MODE: "token", _TOKEN_PATH: str(path)}


def use_in_this_process(env: dict[str, str]) -> None:
    """Apply ``env`` to this process and its children, and make Ray re-read it."""
    from ray._raylet import AuthenticationTokenLoader, Config

    if _TOKEN_PATH in env:
        os.environ.pop(_TOKEN, None)  # Ray prefers the value over the file
    os.environ.update(env)
    Config.initialize("")  # Ray caches RAY_AUTH_MODE; re-read it as Ray's own token setup does
    AuthenticationTokenLoader.instance().reset_cache()


def require_token_auth(dashboard_url: str) -> None:
    """Refuse a cluster whose dashboard says it does not check tokens."""
    try:
        response = httpx.get(f"{dashboard_url}/api/authentication_mode", timeout=10)
        mode = response.json().get("authentication_mode")
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise Unavailable(f"cannot read the Ray cluster's authentication mode: {exc}") from exc
    if mode != "token":
        raise Unavailable(
            f"the Ray cluster does not require token authentication (mode: {mode}); start "
            "every node with RAY_AUTH_MODE=token and the cluster's token before joining it")
