"""Liveness and readiness (no auth)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from assistant.api.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "a dependency is not ready"}})
def readyz(runtime: RuntimeDep) -> JSONResponse:
    checks: dict[str, Any] = {}
    ok = True
    try:
        checks["knowledge"] = {"ok": True, "chunks": runtime.kb.count()}
    except Exception as exc:
        ok = False
        checks["knowledge"] = {"ok": False, "error": str(exc)}
    try:
        runtime.db.ping()
        checks["database"] = {"ok": True}
    except Exception as exc:
        ok = False
        checks["database"] = {"ok": False, "error": str(exc)}
    checks["llm"] = {"provider": runtime.settings.llm_provider, "model": runtime.settings.llm_model}
    return JSONResponse({"status": "ready" if ok else "not_ready", "checks": checks}, status_code=200 if ok else 503)
