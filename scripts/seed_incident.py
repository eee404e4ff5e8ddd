"""A seeded incident through the real pipeline, then its post-crisis report.

    .venv/bin/python scripts/seed_incident.py [--comments 2000] [--data-dir DIR] [--out report.html]

Generated comments (fr/en questions, complaints, rumours, safety cases, praise, a few influencers)
spread over three days of the sample recall are drafted by the real chain (triage, retrieval, offline
composer, guards) on the sample knowledge (fact sheet v1 until 27 Nov 18:00 UTC, then v2), stored, and
reviewed on a simulated clock: about 60% approved (a third of them edited first), 10% rejected, a
quarter of the approvals posted; two public updates are approved and posted by a lead. The review
times are simulated (the lifecycle's clock is set for each step); everything else is the real code.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.config import Settings  # noqa: E402
from assistant.drafting.chain import draft_reply  # noqa: E402
from assistant.drafting.updates import as_draft, draft_updates  # noqa: E402
from assistant.models import Comment, DraftRequest  # noqa: E402
from assistant.reports.report import build_report, put_lessons, render_html, render_markdown  # noqa: E402
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
EDITS = [(" We're truly sorry for the worry and inconvenience this is causing.", ""),
         ("Hi ", "Hello "), ("– The customer care team", "– Alpena customer care")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--comments", type=int, default=2000)
    ap.add_argument("--data-dir", type=Path, default=ROOT / ".seed-incident")
    ap.add_argument("--out", type=Path, default=Path("report.html"))
    ap.add_argument("--seed", type=int, default=11)
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
            review.edit(db, saved.id, edited, version, agent)
            version += 1
        if roll < 0.6:
            high = any(f.severity == "high" for f in saved.flags)
            review.approve(db, saved.id, version, lead if high else agent,
                           override_reason="checked by the lead" if high else None)
            version += 1
            if rng.random() < 0.25:
                now[0] += timedelta(seconds=rng.randint(60, 1800))
                review.mark_posted(db, saved.id, version, agent, f"https://social.example/{i}")
        elif roll > 0.9:
            review.reject(db, saved.id, version, agent, "not the right answer")
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
    put_lessons(db, INCIDENT, "Publish the hotline number in the first holding statement.\n\n"
                "Write the compensation answer into the fact sheet before day two.", lead)
    data = build_report(db, INCIDENT, "1h", runtime.kb.documents, runtime.kb.versions)
    args.out.write_text(render_markdown(data) if args.out.suffix == ".md" else render_html(data), encoding="utf-8")
    m = data.metrics
    print(f"wrote {args.out}: {m.comments} comments, {m.approved} approved, {m.rejected} rejected, "
          f"{m.posted} posted, {data.gaps.count} gap groups, {len(data.fact_sheets)} fact sheets")


if __name__ == "__main__":
    main()
