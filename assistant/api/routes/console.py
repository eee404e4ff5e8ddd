"""The review console: one static page (no build step, no external assets) over the same API."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from assistant.api.auth import AgentDep, Principal, problem_responses
from assistant.errors import NotFound
from assistant.reports.report import CSS as REPORT_CSS

router = APIRouter(tags=["console"])

STATIC = Path(__file__).resolve().parent.parent / "static"
# The post-crisis report opens from a blob: URL the console makes, and a blob document inherits this
# policy: its one inline stylesheet (a constant) is allowed by its hash, nothing else inline is.
_REPORT_STYLE = "'sha256-" + base64.b64encode(hashlib.sha256(REPORT_CSS.encode()).digest()).decode() + "'"
# Everything comes from this server and nothing runs inline: comment text cannot become script.
HEADERS = {
    "Content-Security-Policy": f"default-src 'none'; script-src 'self'; style-src 'self' {_REPORT_STYLE}; "
                               "connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
# The page's own files; anything else is 404. The page names its icon: else browsers ask /favicon.ico.
ASSETS = {"i18n.js": "text/javascript", "console.js": "text/javascript", "console.css": "text/css",
          "icon.svg": "image/svg+xml"}


@router.get("/console", include_in_schema=False)
def console() -> FileResponse:
    return FileResponse(STATIC / "console.html", media_type="text/html", headers=HEADERS)


@router.get("/console/{asset}", include_in_schema=False)
def console_asset(asset: str) -> FileResponse:
    if asset not in ASSETS:
        raise NotFound(f"no console file '{asset}'")
    return FileResponse(STATIC / asset, media_type=ASSETS[asset], headers=HEADERS)


@router.get("/v1/me", response_model=Principal, responses=problem_responses())
def me(principal: AgentDep) -> Principal:
    """The key's id, name and role (the console shows who is signed in)."""
    return principal
