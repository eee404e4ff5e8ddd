"""The review console in a real browser (Playwright + Debian Chromium) against uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.api.app import create_app
from assistant.config import Settings
from assistant.models import Draft
from assistant.runtime import Runtime
from tests.utils.builders import Key, flag, make_keys, seed
from tests.utils.servers import serve_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@dataclass
class Server:
    url: str
    runtime: Runtime
    keys: dict[str, Key]

    def api(self, role: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, self.url + path, headers=self.keys[role].headers, timeout=10, **kwargs)

    def seed(self, **fields: Any) -> Draft:
        return seed(self.runtime.db, self.keys["agent"].principal, **fields)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:

    runtime = Runtime(Settings(data_dir=tmp_path_factory.mktemp("console"), rate_limit_per_minute=100_000))
    keys = make_keys(runtime.db)
    with serve_app(create_app(runtime=runtime)) as base:
        yield Server(base, runtime, keys)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    context = browser.new_context()
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def sign_in(page: Any, server: Server, role: str) -> None:
    page.goto(server.url + "/console")
    page.fill("#key", server.keys[role].token)
    page.click("#login-button")
    sync_api.expect(page.locator("#who-name")).to_contain_text(role)


def open_draft(page: Any, draft: Draft) -> None:
    page.click(f'#queue li[data-id="{draft.id}"]')
    sync_api.expect(page.locator("#version")).to_have_text(f"version {draft.version}")


def test_edit_and_approve_in_the_console(page: Any, server: Server) -> None:
    d = server.seed(flags=[flag("medium", code="length", message="longer than the platform target")],
                    comment_fields={"text": "<img src=x onerror=alert(1)> is L4822 safe?"})
    sign_in(page, server, "agent")
    open_draft(page, d)
    sync_api.expect(page.locator("#comment")).to_have_text("<img src=x onerror=alert(1)> is L4822 safe?")
    sync_api.expect(page.locator('#flags li[data-code="length"]')).to_contain_text("medium")
    sync_api.expect(page.locator('#flags li[data-code="length"]')).to_contain_text("longer than the platform")
    sync_api.expect(page.locator("#citations li").first).to_contain_text("Recall fact sheet v3")
    sync_api.expect(page.locator("#citations li").first).to_contain_text("do not eat it")

    edited = d.text + " We are sorry for the worry."
    page.fill("#draft-text", edited)
    page.click("#save")
    sync_api.expect(page.locator("#status")).to_have_text("edited")
    page.click("#approve")
    sync_api.expect(page.locator("#status")).to_have_text("approved")

    got = server.api("agent", "GET", f"/v1/drafts/{d.id}").json()
    assert (got["status"], got["text"], got["version"], got["original_text"]) == ("approved", edited, 3, d.text)


def test_high_flag_override_and_conflict(page: Any, server: Server) -> None:
    d = server.seed(flags=[flag("high")])
    sign_in(page, server, "lead")
    open_draft(page, d)
    sync_api.expect(page.locator("#override")).to_be_visible()
    page.click("#approve")
    sync_api.expect(page.locator("#message")).to_contain_text("high-severity")
    assert server.api("lead", "GET", f"/v1/drafts/{d.id}").json()["status"] == "draft"

    # Someone else edits meanwhile: saving from the stale page shows the conflict and reloads.
    theirs = server.api("agent", "PATCH", f"/v1/drafts/{d.id}", json={"text": "their text", "version": 1})
    assert theirs.status_code == 200
    page.fill("#draft-text", "my text")
    page.click("#save")
    sync_api.expect(page.locator("#conflict")).to_be_visible()
    sync_api.expect(page.locator("#mine")).to_have_text("my text")
    sync_api.expect(page.locator("#draft-text")).to_have_value("their text")
    sync_api.expect(page.locator("#version")).to_have_text("version 2")

    page.fill("#override-reason", "legal confirmed the refund wording")
    page.click("#approve-override")
    sync_api.expect(page.locator("#status")).to_have_text("approved")
    audit = server.api("lead", "GET", "/v1/audit", params={"target": d.id, "action": "draft.approved"}).json()
    assert audit["data"][0]["detail"]["override_reason"] == "legal confirmed the refund wording"
