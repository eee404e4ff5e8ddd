"""The post-crisis report (HTML and Markdown) and the lessons, through the API and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from assistant.cli.main import app as cli_app
from assistant.reports.report import SECTIONS, build_report, render_html
from assistant.runtime import Runtime
from tests.utils.builders import Key
from tests.utils.incident import INCIDENT, seed_fixture
from tests.utils.incident_docs import FACT_SHEETS


@pytest.fixture
def seeded(runtime: Runtime, keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch) -> Runtime:
    seed_fixture(runtime.db, keys["agent"].principal, keys["lead"].principal, monkeypatch)
    return runtime


def test_html_report_has_every_section_and_nothing_outside_the_page(seeded: Runtime) -> None:
    data = build_report(seeded.db, INCIDENT, "1h", lambda: FACT_SHEETS, lambda: {"fs#0": "h2"})
    page = render_html(data)
    for sid in SECTIONS:
        assert f'<section id="{sid}">' in page
    assert page.count("<svg") == 5
    assert "<script" not in page and not re.search(r'(src|href)="', page)  # no script, no outside resource
    # markers: the update posted at 11:30 and both fact-sheet versions; the edit d2 made is listed
    assert "update website" in page and "fact sheet v1" in page and "fact sheet v2" in page
    assert data.edits.edited_drafts == 1 and data.edits.replaced == []  # "." -> "!" is not a wording edit
    assert data.metrics.stale_drafts == 1 and [f.doc_id for f in data.fact_sheets] == ["fs-v1", "fs-v2"]
    assert [g.text for g in data.rumours] == ["comment 3"] and sum(g.count for g in data.questions) == 2


def test_comment_text_is_escaped(seeded: Runtime, keys: dict[str, Key], monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.models import Triage
    from tests.utils.builders import seed

    seed(seeded.db, keys["agent"].principal, incident=INCIDENT, triage=Triage(language="en", intent="rumour"),
         comment_fields={"text": "<img src=x onerror=alert(1)> is it true?"})
    page = render_html(build_report(seeded.db, INCIDENT))
    assert "<img" not in page and "&lt;img" in page


def test_report_and_lessons_over_the_api(client: TestClient, keys: dict[str, Key], seeded: Runtime,
                                         fake_kb: object) -> None:
    agent, lead = keys["agent"].headers, keys["lead"].headers
    fake_kb.documents = lambda: FACT_SHEETS  # type: ignore[attr-defined]
    url = f"/v1/incidents/{INCIDENT}"
    assert client.put(f"{url}/lessons", headers=agent, json={"lessons": "x"}).status_code == 403
    r = client.put(f"{url}/lessons", headers=lead, json={"lessons": "Publish the hotline earlier.\n\nOne owner."})
    assert r.status_code == 200 and r.json()["updated_by"] == keys["lead"].principal.key_id
    assert client.get(f"{url}/lessons", headers=agent).json()["lessons"].startswith("Publish")
    html = client.get(f"{url}/report", headers=agent)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Publish the hotline earlier." in html.text and "Content-Security-Policy" in html.text
    md = client.get(f"{url}/report?format=md&bucket=15m", headers=agent)
    assert md.headers["content-type"].startswith("text/markdown")
    assert "fs-v2" in html.text and "fact sheet v2" in html.text
    for heading in ("## Summary", "## Response times", "## Knowledge gaps", "## Lessons", "## Top rumours"):
        assert heading in md.text
    metrics = client.get(f"{url}/metrics?bucket=15m", headers=agent).json()
    assert metrics["bucket"] == "15m" and metrics["total"]["comments"] == 5 and metrics["comments"] == 5


@pytest.mark.parametrize(("method", "path", "body", "status"), [
    ("GET", "/v1/incidents/nope/report", None, 404),
    ("GET", "/v1/incidents/nope/metrics", None, 404),
    ("GET", f"/v1/incidents/{INCIDENT}/metrics?bucket=2h", None, 422),
    ("GET", f"/v1/incidents/{INCIDENT}/report?format=pdf", None, 422),
    ("PUT", "/v1/incidents/nope/lessons", {"lessons": "x"}, 404),
    ("PUT", f"/v1/incidents/{INCIDENT}/lessons", {"lessons": "x", "extra": 1}, 422),
    ("PUT", f"/v1/incidents/{INCIDENT}/lessons", {"lessons": "x" * 50_001}, 422),
])
def test_bad_report_requests(client: TestClient, keys: dict[str, Key], seeded: Runtime, fake_kb: object,
                             method: str, path: str, body: object, status: int) -> None:
    fake_kb.documents = lambda: FACT_SHEETS  # type: ignore[attr-defined]
    r = client.request(method, path, headers=keys["lead"].headers, json=body)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")


def test_cli_writes_both_formats(seeded: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRISIS_DATA_DIR", str(seeded.settings.data_dir))
    from assistant.config import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    for name in ("r.html", "r.md"):
        res = runner.invoke(cli_app, ["report", INCIDENT, "--out", str(tmp_path / name)])
        assert res.exit_code == 0, res.output
    assert (tmp_path / "r.html").read_text().count("<svg") == 5
    assert "## Escalations" in (tmp_path / "r.md").read_text()
    res = runner.invoke(cli_app, ["metrics", INCIDENT, "--json", "--bucket", "1d"])
    assert res.exit_code == 0 and '"comments": 5' in res.output
    assert runner.invoke(cli_app, ["report", INCIDENT, "--out", str(tmp_path / "r.pdf")]).exit_code == 2
    assert runner.invoke(cli_app, ["metrics", "nope"]).exit_code == 2
    assert runner.invoke(cli_app, ["lessons", INCIDENT, "Staff the hotline."]).exit_code == 0
    assert "Staff the hotline." in runner.invoke(cli_app, ["lessons", INCIDENT]).output
    assert runner.invoke(cli_app, ["gaps", INCIDENT, "--json"]).exit_code == 0
    get_settings.cache_clear()
