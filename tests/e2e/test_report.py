"""The post-crisis report in a real browser (Playwright + Debian Chromium): it opens from a file with
no console error and no request other than the page itself, and every section and chart renders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.reports.report import SECTIONS, build_report, render_html
from assistant.review.store import Database
from tests.utils.builders import make_keys
from tests.utils.incident import INCIDENT, seed_fixture
from tests.utils.incident_docs import FACT_SHEETS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium"),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def test_report_opens_offline_without_errors(browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(f"sqlite:///{tmp_path / 'r.db'}")
    keys = make_keys(db)
    seed_fixture(db, keys["agent"].principal, keys["lead"].principal, monkeypatch)
    page_path = tmp_path / "report.html"
    page_path.write_text(render_html(build_report(db, INCIDENT, "15m", lambda: FACT_SHEETS)), encoding="utf-8")
    db.dispose()

    page = browser.new_page()
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    assert errors == []
    assert requests == [page_path.as_uri()]  # the page itself, nothing else
    for sid in SECTIONS:
        assert page.locator(f"section#{sid} h2").is_visible()
    charts = page.locator("svg")
    assert charts.count() == 5
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 80
    volume = page.locator("section#volume svg").first
    assert volume.locator("polyline").count() == 2  # comments and negative comments
    assert volume.locator("line[stroke-dasharray='4 3']").count() == 3  # 1 update posted, 2 fact-sheet versions
    page.close()
