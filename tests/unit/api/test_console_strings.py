"""The console's words: every key the page uses exists, in English and in French."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

import assistant.api
from assistant.models import DraftStatus, EscalationTarget, Intent, Sentiment, Severity, UpdateKind
from assistant.triage.monitor import AlertKind

STATIC = Path(assistant.api.__file__).parent / "static"
KEY = re.compile(r'^\s+"([a-zA-Z]+\.[a-zA-Z_]+)": "', re.M)


def table(lang: str) -> set[str]:
    source = (STATIC / "i18n.js").read_text(encoding="utf-8")
    block = re.search(rf"^  {lang}: \{{\n(.*?)^  \}},", source, re.M | re.S)
    assert block, f"no {lang} table in i18n.js"
    return set(KEY.findall(block.group(1)))


def test_english_and_french_have_the_same_keys() -> None:
    en, fr = table("en"), table("fr")
    assert len(en) > 100
    assert en == fr, {"only en": sorted(en - fr), "only fr": sorted(fr - en)}


def test_every_key_the_page_uses_is_defined() -> None:
    page = (STATIC / "console.html").read_text(encoding="utf-8") + (STATIC / "console.js").read_text(encoding="utf-8")
    used = set(re.findall(r'data-i18n(?:-label|-placeholder)?="([^"]+)"', page))
    used |= set(re.findall(r'\btr\("([a-zA-Z]+\.[a-zA-Z_]+)"', page))
    assert len(used) > 50
    assert used <= table("en"), sorted(used - table("en"))


@pytest.mark.parametrize(("prefix", "values"), [
    ("intent", get_args(Intent)), ("esc", get_args(EscalationTarget)), ("status", get_args(DraftStatus)),
    ("severity", get_args(Severity)), ("sentiment", get_args(Sentiment)), ("alert", get_args(AlertKind)),
    ("update", get_args(UpdateKind)),
])
def test_every_value_the_api_sends_has_a_label(prefix: str, values: tuple[str, ...]) -> None:
    """The console labels triage, statuses and alerts by the API's own values (models.py)."""
    assert {f"{prefix}.{v}" for v in values} <= table("en")
