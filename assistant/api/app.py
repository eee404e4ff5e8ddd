"""FastAPI app factory: runtime on app.state, thin routers, problem+json errors, body limit, CORS."""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from assistant.api import problems
from assistant.api.auth import problem_responses
from assistant.api.limits import BodyLimit
from assistant.config import Settings
from assistant.runtime import Runtime

log = logging.getLogger("assistant.api")

# Each module exports `router`; the order is the order of the OpenAPI document.
ROUTERS = [
    "health",
    "knowledge",
    "triage",
    "drafts",
    "review",
    "sentences",
    "check",
    "queue",
    "incidents",
    "updates",
    "reports",
    "alerts",
    "audit",
    "batches",
    "console",
]


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or Runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        runtime.close()

    app = FastAPI(
        title="crisis-desk",
        version="0.1.0",
        description="Crisis-response drafting assistant: triage, cited drafts, guardrails, human review. "
        "Nothing is ever posted automatically. Authenticate with `Authorization: Bearer <api key>`.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    problems.install(app)
    for name in ROUTERS:
        try:
            module = importlib.import_module(f"{__package__}.routes.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.routes.{name}":
                raise
            continue
        # Every route documents its errors as problem+json (what it really answers).
        app.include_router(module.router, responses=problem_responses(400, 404, 409, 413, 415))
    # Added first is innermost: every answer, errors and 413s included, passes through CORS.
    app.add_middleware(problems.CatchAll)
    app.add_middleware(BodyLimit, max_bytes=runtime.settings.max_body_bytes,
                       max_header_bytes=runtime.settings.max_header_bytes, max_headers=runtime.settings.max_headers,
                       streamed={("POST", "/v1/batches"): (runtime.settings.batch_max_body_bytes,
                                                           "CRISIS_BATCH_MAX_BODY_BYTES")})
    origins = runtime.settings.cors_origins
    if origins:
        app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type", "If-Match"], expose_headers=["ETag"])
    return app
