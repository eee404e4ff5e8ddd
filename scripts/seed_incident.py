"""A seeded incident through the real pipeline, then its post-crisis report; with --check, the
acceptance run of the reports stage (issue 15).

    .venv/bin/python scripts/seed_incident.py [--comments 2000] [--data-dir DIR] [--out report.html] [--check]

Generated comments (fr/en questions, complaints, rumours, safety cases, praise, a few influencers)
spread over three days of the sample recall are drafted by the real chain (triage, retrieval, offline
composer, guards) on the sample knowledge (fact sheet v1 until 27 Nov 18:00 UTC, then v2), stored, and
reviewed on a simulated clock: about 60% approved (a third of them edited first), 10% rejected, a
quarter of the approvals posted; two public updates are approved and posted by a lead. The review
times are simulated (the lifecycle's clock is set for each step); everything else is the real code.
Edits are guarded like the API's (drafting.verify), so an edit may carry flags like any draft.

--check (the acceptance run; minutes at 2,000 comments, so a script, not a test of the suite): the
metrics read from the rollups equal the metrics computed by scanning the rows (every count; each
percentile within the histogram bound) and the decisions this script took; the report has every
section in HTML and Markdown; the most asked knowledge gap is closed by a lead (entry drafted from
the gap, answered, approved, ingested) and the next draft on that question cites it (each of the top
three gaps is closed; how many next drafts cite their entry is printed, at least one must).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.drafting.chain import draft_reply  # noqa: E402
from assistant.drafting.updates import as_draft, draft_updates  # noqa: E402
from assistant.drafting.verify import verify_text  # noqa: E402
from assistant.models import Comment, DraftRequest  # noqa: E402
from assistant.reports.gaps import draft_entry, find_gaps  # noqa: E402
from assistant.reports.metrics import incident_timeline  # noqa: E402
from assistant.reports.report import SECTIONS, build_report, put_lessons, render_html, render_markdown  # noqa: E402
from assistant.review import lifecycle as review  # noqa: E402
from assistant.review.schemas import IncidentIn  # noqa: E402
from assistant.runtime import Runtime  # noqa: E402

INCIDENT = "recall-2026-11"
START = datetime(2026, 11, 26, 8, tzinfo=UTC)
TEMPLATES = [
    ("Which batches are recalled? I have a box of {product}.", "en"),
    ("How long will my refund take? I sent the form {days} days ago.", "en"),
    ("Why did this happen? What caused the metal in the granola?", "en"),
    ("Will I get any compensation or a voucher for this?", "en"),
    ("Are your other products affected too, like the muesli?", "en"),
    ("My son ate some granola from batch L4822 yesterday, he has a stomach ache. What do I do?", "en"),
    ("I heard children were hospitalised because of your granola, is it true?", "en"),
    ("Still no answer from your hotline after {days} days. Unacceptable.", "en"),
    ("Thank you for being so transparent about the recall, well handled.", "en"),
    ("Quels lots sont rappelés ? J'ai un paquet de {product}.", "fr"),
    ("Combien de temps pour le remboursement ? J'ai envoyé le formulaire il y a {days} jours.", "fr"),
    ("Pourquoi y a-t-il du métal dans vos céréales ?", "fr"),
    ("On m'a dit que l'usine allait fermer, c'est vrai ?", "fr"),
]
# What a lead writes into a gap's entry, by the words of the gap's question (else a generic answer).
ANSWERS = [
    (("caus", "why", "pourquoi", "metal", "métal"),
     "The metal fragments came from a broken sieve on production line 2 at the Lyon plant; the sieve was "
     "replaced on 25 November and every line was inspected.",
     "Les fragments de métal venaient d'un tamis cassé sur la ligne 2 de l'usine de Lyon ; il a été remplacé "
     "le 25 novembre et toutes les lignes ont été inspectées."),
    (("compensation", "voucher", "bon d'achat"),
     "Every customer who returns a recalled box receives a goodwill voucher as compensation, on top of the "
     "full refund.",
     "Chaque client qui rapporte une boîte rappelée reçoit un bon d'achat en dédommagement, en plus du "
     "remboursement."),
    (("muesli", "other products", "autres produits"),
     "No other Alpena product is affected: the muesli is made on another line.",
     "Aucun autre produit Alpena n'est concerné : le muesli est fabriqué sur une autre ligne."),
    (("usine", "fermer", "factory", "close"),
     "The Lyon plant stays open: only line 2 is stopped until the inspection ends.",
     "L'usine de Lyon reste ouverte et ne va pas fermer : seule la ligne 2 est arrêtée jusqu'à la fin de "
     "l'inspection."),
]
EDITS = [(" We're truly sorry for the worry and inconvenience this is causing.", ""),
         ("Hi ", "Hello "), ("– The customer care team", "– Alpena customer care")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=2000)
    ap.add_argument("--data-dir", type=Path, default=ROOT / ".seed-incident")
    ap.add_argument("--out", type=Path, default=Path("report.html"))
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--check", action="store_true", help="the acceptance checks (see the module docstring)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    runtime = Runtime(Settings(data_dir=args.data_dir))
    report = runtime.kb.ingest_path(ROOT / "knowledge")
    print(f"knowledge: {report.added} added, {report.unchanged} unchanged")
    db = runtime.db
    agent, _ = db.create_key("agent", "seed agent")
    lead, _ = db.create_key("lead", "seed lead")
    db.put_incident(IncidentIn(id=INCIDENT, title="Granola recall, batches L4821 and L4822",
                               started_at=START), actor=lead.key_id)
    now = [START]
    counted = {"edited": 0, "approve": 0, "override": 0, "posted": 0, "reject": 0}
    review.utcnow = lambda: now[0]  # the simulated review clock (see the module docstring)
    started = time.perf_counter()
    for i in range(args.comments):
        at = START + timedelta(hours=72 * (i / args.comments) ** 0.7)  # busiest at the start
        text, _lang = rng.choice(TEMPLATES)
        comment = Comment(id=f"seed-{i}", text=text.format(product=rng.choice(["L4821", "L4822", "L5000"]),
                                                           days=rng.randint(2, 12)),
                          author=rng.choice(["Sam", "Léa", "Nora", "Paul", None]), platform=rng.choice(
                              ["x", "facebook", "instagram"]), created_at=at,
                          followers=rng.choice([120, 800, 3000, 250_000]))
        draft = asyncio.run(draft_reply(runtime, DraftRequest(comment=comment, incident=INCIDENT)))
        if not draft.text:
            continue
        now[0] = at + timedelta(seconds=rng.randint(5, 60))
        saved = review.save_new_draft(db, draft.model_copy(update={"created_at": now[0], "updated_at": now[0]}),
                                      comment, agent)
        roll, version = rng.random(), 1
        now[0] += timedelta(seconds=int(rng.expovariate(1 / 1500)))
        if roll < 0.2:
            old, new = rng.choice(EDITS)
            edited = saved.text.replace(old, new) if old in saved.text else saved.text + " Take care."
            checked = verify_text(runtime.kb, edited, comment=comment, incident=INCIDENT, platform=comment.platform)
            saved = review.edit(db, saved.id, edited, version, agent, checked)
            version += 1
            counted["edited"] += 1
        if roll < 0.6:
            high = any(f.severity == "high" for f in saved.flags)
            review.approve(db, saved.id, version, lead if high else agent,
                           override_reason="checked by the lead" if high else None)
            version += 1
            counted["approve"] += 1
            counted["override"] += high
            if rng.random() < 0.25:
                now[0] += timedelta(seconds=rng.randint(60, 1800))
                review.mark_posted(db, saved.id, version, agent, f"https://social.example/{i}")
                counted["posted"] += 1
        elif roll > 0.9:
            review.reject(db, saved.id, version, agent, "not the right answer")
            counted["reject"] += 1
        if (i + 1) % 250 == 0:
            print(f"{i + 1} comments ({(time.perf_counter() - started) / (i + 1) * 1000:.0f} ms each)")
    for kind, hours in (("holding", 3), ("progress", 40)):
        for u in draft_updates(runtime.kb, INCIDENT, kind, ["website"]):  # type: ignore[arg-type]
            now[0] = START + timedelta(hours=hours)
            d = review.save_new_draft(db, as_draft(u, INCIDENT), None, lead)
            now[0] += timedelta(minutes=20)
            review.approve(db, d.id, 1, lead, override_reason="checked by the lead")
            now[0] += timedelta(minutes=10)
            review.mark_posted(db, d.id, 2, lead, f"https://alpena.example/updates/{kind}")
            counted["approve"] += 1
            counted["override"] += any(f.severity == "high" for f in d.flags)
            counted["posted"] += 1
    put_lessons(db, INCIDENT, "Publish the hotline number in the first holding statement.\n\n"
                "Write the compensation answer into the fact sheet before day two.", lead)
    data = build_report(db, INCIDENT, "1h", runtime.kb.documents, runtime.kb.versions)
    args.out.write_text(render_markdown(data) if args.out.suffix == ".md" else render_html(data), encoding="utf-8")
    m = data.metrics
    print(f"wrote {args.out}: {m.comments} comments, {m.approved} approved, {m.rejected} rejected, "
          f"{m.posted} posted, {data.gaps.count} gap groups, {len(data.fact_sheets)} fact sheets")
    if args.check:
        check(runtime, data, counted, lead)


def check(runtime: Runtime, data: Any, counted: dict[str, int], lead: Any) -> None:
    from tests.utils.metrics_scan import assert_same_metrics, scan_timeline

    db = runtime.db
    for bucket in ("15m", "1h", "1d"):
        assert_same_metrics(incident_timeline(db, INCIDENT, bucket), scan_timeline(db, INCIDENT, bucket))
    m, t = data.metrics, data.metrics.total
    decisions = (t.approved, t.rejected, t.posted, m.overrides)
    assert decisions == (counted["approve"], counted["reject"], counted["posted"], counted["override"]), (
        decisions, counted)
    print(f"metrics: rollups == scan at 15m/1h/1d; decisions {decisions} as taken; "
          f"{counted['edited']} edits, mean edit distance {m.mean_edit_distance:.3f}")
    html, md = render_html(data), render_markdown(data)
    missing = [sid for sid in SECTIONS if f'<section id="{sid}"' not in html]
    assert not missing, f"report sections missing: {missing}"
    assert md.count("\n## ") >= len(SECTIONS) - 1, "Markdown sections missing"
    assert len(data.fact_sheets) >= 2, "two fact-sheet versions expected"
    print(f"report: {len(SECTIONS)} sections in HTML and Markdown, {len(data.fact_sheets)} fact-sheet versions")

    # Every gap (most asked first, up to 3) closed by a lead; the next draft on each question should cite it.
    cited_by_next = 0
    gaps = [g for g in find_gaps(db, INCIDENT).data if g.entry_status == "none"][:3]
    assert gaps, "no knowledge gap found"
    for gap in gaps:
        entry = draft_entry(db, INCIDENT, gap.key, lead)
        runtime.kb.upsert(entry, origin="api")
        folded = gap.question.lower()
        en, fr = next(((en, fr) for words, en, fr in ANSWERS if any(w in folded for w in words)),
                      ("The answer is confirmed: see the updated fact sheet.",
                       "La réponse est confirmée : voir la fiche d'information mise à jour."))
        answer = fr if entry.language == "fr" else en
        runtime.kb.upsert(entry.model_copy(update={"approved": True, "text": f"# {gap.question}\n\n{answer}\n"}),
                          origin="api")
        after = asyncio.run(draft_reply(runtime, DraftRequest(incident=INCIDENT, comment=Comment(
            text=gap.examples[0].question, platform="facebook", author="Sam"))))
        cited = entry.id in {c.doc_id for c in after.citations}
        cited_by_next += cited
        print(f"gap '{gap.question}' (asked {gap.count}x, {entry.language}) -> {entry.id}: next draft "
              f"{'CITES it' if cited else 'does NOT cite it'}:\n  {after.text}")
    assert cited_by_next, "no closed gap was cited by the next draft"
    print(f"gaps closed: {cited_by_next} of {len(gaps)} cited by the next draft on their question")
    print("acceptance: all checks passed")


if __name__ == "__main__":
    main()
