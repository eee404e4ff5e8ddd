"""`crisis-desk batch ...` end to end: import (bad rows listed), run, status, groups, export, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()
CSV = ("id,network,from_name,message\n"
       "1,facebook,Paul Dupont,Is the granola from batch L4822 part of the recall? I have two boxes at home.\n"
       "2,facebook,Anna Lee,Is the granola from batch L4822 part of the recall? I have two boxes at home!\n"
       "3,myspace,Bob,hello\n"
       "4,x,,\n"
       "5,x,Eve,FOLLOW ME for free iPhone giveaway!!! click http://bit.ly/x\n")


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def env(sample_kb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRISIS_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    path = tmp_path / "export.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_import_run_status_groups_export(env: Path, sample_kb_dir: Path, tmp_path: Path) -> None:
    dd = ("--data-dir", str(sample_kb_dir))
    code, out = run("batch", "import", str(env), "--incident", "recall-2026-11", "--json", *dd)
    assert code == 0, out
    report = json.loads(out)
    assert (report["added"], report["rejected"]) == (3, 2)
    assert [e["line"] for e in report["errors"]] == [4, 5]
    batch = report["batch"]
    code, out = run("batch", "import", str(env), "--incident", "recall-2026-11", *dd)
    out = flat(out)  # rich wraps at the terminal width
    assert code == 0 and "0 added, 3 already imported, 2 rejected" in out and "line 4" in out
    code, out = run("batch", "run", batch, "--json", *dd)
    assert code == 0, out
    counts = json.loads(out)["counts"]
    assert (counts["drafted"] + counts["held"], counts["skipped"], counts["failed"]) == (2, 1, 0)
    code, out = run("batch", "status", batch, *dd)
    out = flat(out)
    assert code == 0 and "skipped line 6" in out and "spam" in out
    code, out = run("batch", "groups", batch, "--json", *dd)
    assert json.loads(out)["data"][0]["size"] == 2
    code, out = run("batch", "export", batch, "--format", "jsonl", *dd)
    assert code == 0 and "0 approved replies" in out  # nothing approved yet
    code, out = run("batch", "run", batch, "--json", *dd)
    assert json.loads(out)["processed"] == 0


def test_cli_errors_are_one_clear_line(env: Path, sample_kb_dir: Path, tmp_path: Path) -> None:
    dd = ("--data-dir", str(sample_kb_dir))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n{oops\n', encoding="utf-8")
    code, out = run("batch", "import", str(bad), "--incident", "i", *dd)
    assert code == 2 and "no usable comment in 2 row(s): line 1: no text" in flat(out)
    code, out = run("batch", "import", str(env), "--incident", "i", "--map", "colour=x", *dd)
    assert code == 2 and "unknown field 'colour'" in flat(out)
    xlsx = tmp_path / "a.xlsx"
    xlsx.write_bytes(b"PK")
    code, out = run("batch", "import", str(xlsx), "--incident", "i", *dd)
    assert code == 2 and "cannot tell the format" in flat(out)
    code, out = run("batch", "status", "nope", *dd)
    assert code == 2 and "no batch 'nope'" in flat(out)
    code, out = run("batch", "run", "nope", *dd)
    assert code == 2 and "no batch 'nope'" in flat(out)
    code, out = run("batch", "export", "nope", "--format", "xml", *dd)
    assert code == 2 and "--format must be csv or jsonl" in out
