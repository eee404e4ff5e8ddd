"""The labelled rewording sets of grouping by meaning (tests/data/question_groups_*.jsonl): shape only.

benchmarks/paraphrases.py scores them: gold pairs are comments of one crisis with the same `group` and
the same `lang`; a designed look-alike is a comment of another group in the same crisis (another serial
number, "when" instead of "how much"). The sets scored once as held-out (holdout4, and holdout5, tuning data
since round 7) are never run through the grouping here: only their shape and their knowledge are checked.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.knowledge.loaders import load_folder

DATA = Path(__file__).resolve().parents[2] / "data"
KNOWLEDGE = DATA / "question_groups_knowledge"
FIELDS = {"id", "crisis", "lang", "group", "text"}
HELD_OUT = {"holdout4": ("h4-", {"stroller-recall", "social-housing-heating", "car-park-fire"}),
            "holdout5": ("h5-", {"ebike-battery-recall", "loyalty-points-error", "parcel-depot-flood"}),
            "holdout6": ("h6-", {"boiler-co-recall", "theme-park-ride-stop", "marathon-cancelled"})}


def _rows(name: str) -> list[dict[str, Any]]:
    path = DATA / f"question_groups_{name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _all_sets() -> list[str]:
    return sorted(p.stem.removeprefix("question_groups_") for p in DATA.glob("question_groups_*.jsonl"))


def _gold_pairs(rows: list[dict[str, Any]]) -> int:
    sizes = Counter((r["crisis"], r["group"], r["lang"]) for r in rows)
    return sum(n * (n - 1) // 2 for n in sizes.values())


@pytest.mark.parametrize("name", _all_sets())
def test_each_set_is_well_formed(name: str) -> None:
    rows = _rows(name)
    assert rows and len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) == len(rows)  # no copy: copies are grouped by another path
    for row in rows:
        assert row.keys() == FIELDS, row["id"]
        assert row["lang"] in {"en", "fr"} and row["text"].strip() and row["group"].strip(), row["id"]


def _identifier(group: str) -> str | None:
    """The digits of a group named after an identifier ('serial-KD241523', 'postcode-47300'), if any."""
    found = re.search(r"(\d{4,})$", group)
    return found.group(1) if found else None


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_each_held_out_set_is_three_new_crises_ready_to_score(name: str) -> None:
    prefix, crises = HELD_OUT[name]
    rows = _rows(name)
    assert {r["crisis"] for r in rows} == crises and all(r["id"].startswith(prefix) for r in rows)
    assert len(rows) >= 90 and _gold_pairs(rows) >= 40
    others = [r for other in _all_sets() if other != name for r in _rows(other)]
    assert crises.isdisjoint({r["crisis"] for r in others})  # crises nobody tuned on
    assert not {r["text"] for r in rows} & {r["text"] for r in others}
    for crisis in crises:
        mine = [r for r in rows if r["crisis"] == crisis]
        assert {r["lang"] for r in mine} == {"en", "fr"}, crisis
        assert _gold_pairs(mine) >= 10, crisis  # rewordings to merge ...
        assert len({r["group"] for r in mine}) >= 8, crisis  # ... beside questions that must stay apart


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_a_comment_labelled_with_an_identifier_carries_it(name: str) -> None:
    """The look-alikes by serial, lot or postcode hold only if each comment names its group's number
    (however written: 'KD-241523', 'kd 241 523', 'B 2319')."""
    for row in _rows(name):
        digits = _identifier(row["group"])
        if digits is not None:
            assert digits in re.sub(r"\D", "", row["text"]), row["id"]


@pytest.mark.parametrize("crisis", sorted(c for _, crises in HELD_OUT.values() for c in crises))
def test_each_held_out_crisis_has_approved_knowledge_in_both_languages(crisis: str) -> None:
    docs, errors = load_folder(KNOWLEDGE / crisis)
    assert not errors and {d.language for d in docs} == {"en", "fr"}
    assert all(d.approved and d.incident == crisis and d.kind == "fact_sheet" for d in docs)
    for en, fr in itertools.combinations(sorted(docs, key=lambda d: d.language), 2):
        # the two fact sheets state the same facts: the same numbers (times as 8:00 or 8 h, 9,000 or 9 000)
        assert _numbers(en.text) == _numbers(fr.text), crisis


def _numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", text)} - {0}
