"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from daas.platform.deps import Db, Gateway

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness: the API process answers")
def healthz() -> dict[str, str]:
    """Always ok while the process serves requests."""
    return {"status": "ok"}


@router.get("/readyz", summary="Readiness: database and model workers reachable")
def readyz(db: Db, gateway: Gateway) -> JSONResponse:
    """Ready when the database answers and the model worker is up."""
    checks: dict[str, str] = {}
    try:
        with db.read() as session:
            session.exec(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - a probe reports, it does not raise
        checks["database"] = f"error: {type(exc).__name__}"
    checks["workers"] = "ok" if gateway.workers_ready() else "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)
