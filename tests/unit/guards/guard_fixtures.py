"""SearchHit builders with the sample knowledge base's facts (docs/SAMPLE_KB.md), for guard tests.

The guards are tested against these chunks rather than the knowledge files, so their tests do not
depend on how the loader chunks the real documents.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.guards import GuardContext, check_draft, detect_injection, mask_pii
from assistant.models import Flag, SearchHit

HOTLINES = ["0 800 55 12 12", "+32 800 55 121", "+41 800 55 1212", "https://alpena.example/recall"]


def hit(
    chunk_id: str,
    text: str,
    kind: str = "fact_sheet",
    language: str = "en",
    *,
    approved: bool = True,
    version: str = "v2",
    valid_until: datetime | None = None,
    heading: str = "",
) -> SearchHit:
    return SearchHit(
        doc_id=chunk_id.split("::")[0],
        chunk_id=chunk_id,
        title=chunk_id.split("::")[0],
        kind=kind,
        language=language,
        approved=approved,
        score=1.0,
        text=text,
        heading=heading,
        incident="recall-2026-11",
        doc_version=version,
        valid_until=valid_until,
    )


FACTSHEET_EN = [
    hit(
        "factsheet-recall-v2-en::0",
        "As of 2026-11-27 18:00 UTC. Alpena Foods is recalling Alpena Croustillant Granola Chocolat 500 g, "
        "batches L4821 and L4822 only (best before 03/2027), as a precaution, after customers reported small "
        "metal fragments.",
        heading="Fact sheet > Summary",
    ),
    hit(
        "factsheet-recall-v2-en::1",
        "What we know: 3 reports of small metal fragments have been received. No injury has been confirmed. "
        "Only batches L4821 and L4822 are affected. The production line was stopped on 2026-11-25. The "
        "products have been removed from shelves in France, Belgium and Switzerland. Customers should not "
        "eat "
        "the product and can get a refund.",
        heading="Fact sheet > What we know",
    ),
    hit(
        "factsheet-recall-v2-en::2",
        "What we don't know yet: the cause is not known yet. An investigation with our production-equipment "
        "supplier is ongoing; results are expected by 2026-12-04. Whether any other batch is affected: tests "
        "are ongoing, and there is no evidence so far that other batches are affected.",
        heading="Fact sheet > Not known yet",
    ),
]
FACTSHEET_FR = [
    hit(
        "factsheet-recall-v2-fr::0",
        "Au 27/11/2026 18:00 UTC. Alpena Foods rappelle le produit Alpena Croustillant Granola Chocolat 500 "
        "g, "
        "lots L4821 et L4822 uniquement (à consommer de préférence avant 03/2027), par précaution, après des "
        "signalements de petits fragments métalliques.",
        language="fr",
    ),
    hit(
        "factsheet-recall-v2-fr::1",
        "Ce que nous savons : 3 signalements de petits fragments métalliques ont été reçus. Aucune blessure "
        "n'a "
        "été confirmée. Seuls les lots L4821 et L4822 sont concernés. La ligne de production a été arrêtée "
        "le "
        "25 novembre 2026. Les produits ont été retirés des rayons en France, en Belgique et en Suisse. Les "
        "clients ne doivent pas consommer le produit et peuvent être remboursés.",
        language="fr",
    ),
    hit(
        "factsheet-recall-v2-fr::2",
        "Ce que nous ne savons pas encore : la cause n'est pas encore connue. Une enquête est en cours avec "
        "notre fournisseur d'équipements de production ; les résultats sont attendus d'ici le 4 décembre "
        "2026. "
        "D'autres lots sont-ils concernés : des analyses sont en cours, sans aucun élément à ce jour.",
        language="fr",
    ),
]
CONTACT = hit(
    "contact-hotline::0",
    "Hotline: 0 800 55 12 12 (France, free), +32 800 55 121 (Belgium), +41 800 55 1212 (Switzerland), "
    "8:00-20:00 CET, Monday to Saturday. Recall form: https://alpena.example/recall",
    kind="contact",
    version="v1",
)
FAQ_EN = hit(
    "faq-recall-en::0",
    "Q: Do I need my receipt? A: No. A photo of the batch number on the pack is enough to get a refund. "
    "Q: I already ate some, what should I do? A: If you feel unwell, see a doctor; no injury has been "
    "confirmed so far. Q: How do I get my refund? A: Fill in the recall form at "
    "https://alpena.example/recall or call the free hotline. Q: Where is the batch number? A: It is "
    "printed on the side of the box, next to the best-before date.",
    kind="faq",
    version="v1",
)
FAQ_FR = hit(
    "faq-recall-fr::0",
    "Q : Ai-je besoin de mon ticket de caisse ? R : Non. Une photo du numéro de lot sur l'emballage "
    "suffit pour être remboursé. Q : J'en ai déjà mangé, que faire ? R : Si vous ne vous sentez pas "
    "bien, consultez un médecin ; aucune blessure n'a été confirmée à ce jour. Q : Comment être "
    "remboursé ? R : Remplissez le formulaire de rappel sur https://alpena.example/recall ou appelez "
    "la ligne gratuite. Q : Où se trouve le numéro de lot ? R : Il est imprimé sur le côté de la boîte, "
    "à côté de la date de durabilité minimale.",
    kind="faq",
    language="fr",
    version="v1",
)
POLICY_EN = hit(
    "policy-refunds-en::0",
    "Refunds for the recall: a full refund of the purchase price for batches L4821 and L4822. No "
    "receipt is needed: a photo of the batch number is enough. Refunds are paid within 14 days. A "
    "€5 goodwill voucher is offered for recalled products only. No other compensation is promised "
    "in public; individual cases are handled by customer care in private.",
    kind="policy",
    version="v1",
)
POLICY_FR = hit(
    "policy-refunds-fr::0",
    "Remboursement lié au rappel : remboursement intégral du prix d'achat pour les lots L4821 et "
    "L4822. Aucun ticket de caisse n'est nécessaire : une photo du numéro de lot suffit. Les "
    "remboursements sont versés sous 14 jours. Un bon d'achat de 5 € est offert à titre de geste "
    "commercial, uniquement pour les produits rappelés. Aucune autre indemnisation n'est promise en "
    "public ; les cas individuels sont traités en privé par le service client.",
    kind="policy",
    language="fr",
    version="v1",
)
GUIDELINE_EN = hit(
    "guideline-social-en::0",
    "## Tone\nWarm, plain, short. Use the customer's name. Apologise for the worry and the "
    "inconvenience; never admit legal liability and never speculate on the cause.\n\n"
    '## Banned phrases\n- "We apologize for any inconvenience"\n- "calm down"\n'
    '- "no comment"\n- "100% safe" (we cannot guarantee that)\n- "as per our policy"\n'
    '- "unfortunately there is nothing we can do"\n- "we take this matter very seriously"\n\n'
    "## Escalation\nLegal threats go to legal; journalists to the press office.",
    kind="guideline",
    version="v1",
)
GUIDELINE_FR = hit(
    "guideline-social-fr::0",
    "## Ton\nChaleureux, simple, court.\n\n## Expressions interdites\n"
    "- « Nous nous excusons pour la gêne occasionnée »\n- « calmez-vous »\n- « sans commentaire »\n"
    "- « aucun risque »\n- « conformément à notre politique »\n\n## Escalade\nMenaces "
    "juridiques : service juridique.",
    kind="guideline",
    language="fr",
    version="v1",
)
V1_OUTDATED = hit(
    "factsheet-recall-v1-en::0",
    "As of 2026-11-26 09:00 UTC. Alpena Foods is recalling Alpena Croustillant Granola Chocolat "
    "500 g, only batch L4821. 2 reports of small metal fragments. Refunds are paid within 30 days.",
    version="v1",
    valid_until=datetime(2026, 11, 27, 18, tzinfo=UTC),
)
UNAPPROVED = hit(
    "statement-recall-draft-en::0",
    "We have identified the cause: a faulty sieve from our supplier let metal fragments through. "
    "Every affected customer will receive a €20 voucher as compensation.",
    kind="statement",
    approved=False,
    version="draft",
)

SOURCES_EN = [*FACTSHEET_EN, CONTACT, FAQ_EN]
SOURCES_FR = [*FACTSHEET_FR, CONTACT, FAQ_FR]


def context(language: str = "en", platform: str = "facebook", **extra: Any) -> GuardContext:
    """The context the drafting chain would build for a recall comment in `language`."""
    fr = language == "fr"
    base: dict[str, Any] = {
        "sources": SOURCES_FR if fr else SOURCES_EN,
        "policy": [POLICY_FR if fr else POLICY_EN],
        "guideline": [GUIDELINE_FR if fr else GUIDELINE_EN],
        "disallowed": [V1_OUTDATED, UNAPPROVED],
        "platform": platform,
        "language": language,
        "allow": HOTLINES,
        "brand": ["Alpena", "Alpena Foods", "AlpenaFoods"],
    }
    base.update(extra)
    return GuardContext(**base)


# ---------------------------------------------------------------- red-team corpus

REDTEAM_PATH = Path(__file__).resolve().parents[2] / "data" / "redteam.jsonl"
CLEAN_CATEGORIES = ("clean", "clean_comment")


def redteam_cases() -> list[dict[str, Any]]:
    with REDTEAM_PATH.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_case(case: dict[str, Any]) -> tuple[list[Flag], list[Flag]]:
    """(flags on the comment, flags on the draft), the guards called the way the drafting chain does."""
    comment_flags: list[Flag] = []
    comment = case.get("comment")
    masked = mask_pii(comment, allow=HOTLINES) if comment else None
    if comment and masked:
        comment_flags += detect_injection(comment)
        comment_flags += [
            Flag(code=f"pii:{e.kind}", severity="info", message="masked") for e in masked.entities
        ]
    if not case.get("draft"):
        return comment_flags, []
    ctx = context(
        case["language"],
        case.get("platform", "facebook"),
        comment_pii=masked.entities if masked else [],
        injection=any(f.code == "prompt_injection" for f in comment_flags),
        comment=masked.text if masked else None,
    )
    return comment_flags, check_draft(case["draft"], ctx)


def findings(flags: list[Flag]) -> set[str]:
    """Codes that count: low/info flags (e.g. over_target) are advice, masked PII is reported as pii:KIND."""
    return {f.code for f in flags if f.severity in ("medium", "high") or f.code.startswith("pii:")}


def false_positive(case: dict[str, Any], comment_flags: list[Flag], draft_flags: list[Flag]) -> bool:
    """A clean draft with a finding, or a legitimate comment taken for an injection."""
    if case["category"] == "clean":
        return bool(findings(draft_flags))
    return any(f.code == "prompt_injection" for f in comment_flags)
