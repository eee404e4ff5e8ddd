"""The edits reviewers make most often (counted by hand), and the SVG charts' edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from assistant.reports.charts import Marker, Series, bar_chart, time_chart
from assistant.reports.edits import frequent_edits
from assistant.review import lifecycle as review
from assistant.review.store import Database
from tests.utils.builders import checked, make_keys, seed


def test_frequent_edits_counts_removed_added_and_replaced_words(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'e.db'}")
    agent = make_keys(db)["agent"].principal
    edits = [("Hi Sam, we are deeply sorry. Batch L4822 is recalled.", "Hi Sam, we are sorry. Batch L4822 is out."),
             ("Hi Ann, we are deeply sorry. Call us.", "Hi Ann, we are sorry. Call us today."),
             ("Hi Bo, refunds take 14 days.", "Hi Bo, refunds take two weeks.")]
    for original, final in edits:
        d = seed(db, agent, incident="inc", text=original)
        review.edit(db, d.id, final, 1, agent, checked(final))
        review.approve(db, d.id, 2, agent)
    seed(db, agent, incident="inc", text="untouched, never approved")
    stats = frequent_edits(db, "inc")
    assert stats.edited_drafts == 3
    assert [(p.text, p.count) for p in stats.removed] == [("deeply", 2)]
    assert [(p.text, p.count) for p in stats.added] == [("today", 1)]
    replaced = [(r.before, r.after, r.count) for r in stats.replaced]
    assert replaced == [("14 days", "two weeks", 1), ("recalled", "out", 1)]
    assert frequent_edits(db, "other").edited_drafts == 0


def test_charts_handle_empty_flat_and_hostile_input() -> None:
    t = datetime(2026, 11, 27, tzinfo=UTC)
    assert "no data" in time_chart([], title="Empty", y_label="n")
    one = time_chart([Series("a<b", [(t, 0.0)], "#000")], [Marker(t, "<script>", "#0a0")], title="x", y_label="y")
    assert one.startswith("<svg") and "<script>" not in one and "&lt;script&gt;" in one and "a&lt;b" in one
    many = time_chart([Series("n", [(t + timedelta(hours=i), i) for i in range(5)], "#000")], title="x", y_label="y")
    assert many.count("<circle") == 5
    assert "nothing" in bar_chart([], title="none")
    assert bar_chart([("legal", 0.0), ("press", 3.0)], title="t").count("<rect") == 2
