"""PII masking: a labelled set (positives and tricky negatives) scored for precision and recall."""

from __future__ import annotations

import pytest

from assistant.guards import mask_pii, redact_for_log
from assistant.guards.pii import iban_valid, luhn_valid, phone_key
from tests.unit.guards.guard_fixtures import HOTLINES

# (text, [(kind, exact masked value)]) — an empty list means nothing may be masked.
LABELLED: list[tuple[str, list[tuple[str, str]]]] = [
    ("Write to marie.dupont@gmail.com please", [("EMAIL", "marie.dupont@gmail.com")]),
    ("mail: jean-luc.b+alpena@orange.fr.", [("EMAIL", "jean-luc.b+alpena@orange.fr")]),
    ("contact me at jean [at] free [dot] fr", [("EMAIL", "jean [at] free [dot] fr")]),
    ("Appelez-moi au 06 12 34 56 78 svp", [("PHONE", "06 12 34 56 78")]),
    ("mon numéro : 06.12.34.56.78", [("PHONE", "06.12.34.56.78")]),
    ("tel 0612345678", [("PHONE", "0612345678")]),
    ("call +33 6 12 34 56 78 after 6pm", [("PHONE", "+33 6 12 34 56 78")]),
    ("from abroad: 0033 6 12 34 56 78", [("PHONE", "0033 6 12 34 56 78")]),
    ("US number +1 (555) 123-4567", [("PHONE", "+1 (555) 123-4567")]),
    ("UK office +44 20 7946 0958", [("PHONE", "+44 20 7946 0958")]),
    ("my cell is (555) 123-4567", [("PHONE", "(555) 123-4567")]),
    ("ring 020 7946 0958 tomorrow", [("PHONE", "020 7946 0958")]),
    ("IBAN FR76 3000 6000 0112 3456 7890 189 merci", [("IBAN", "FR76 3000 6000 0112 3456 7890 189")]),
    ("iban: FR7630006000011234567890189", [("IBAN", "FR7630006000011234567890189")]),
    ("Belgian account BE68 5390 0754 7034", [("IBAN", "BE68 5390 0754 7034")]),
    ("card 4111 1111 1111 1111 was charged", [("CARD", "4111 1111 1111 1111")]),
    ("paid with 5500-0000-0000-0004", [("CARD", "5500-0000-0000-0004")]),
    ("amex 3782 822463 10005", [("CARD", "3782 822463 10005")]),
    ("Where is my refund for order #A-123456?", [("ORDER_ID", "A-123456")]),
    ("commande n° 784512 toujours pas remboursée", [("ORDER_ID", "784512")]),
    ("ref CMD-2026-00042", [("ORDER_ID", "CMD-2026-00042")]),
    ("booking ref XK9P2L", [("ORDER_ID", "XK9P2L")]),
    ("my order number is 12345678", [("ORDER_ID", "12345678")]),
    ("I live at 12 Baker Street, come and see", [("ADDRESS", "12 Baker Street")]),
    ("send it to 221B Baker St", [("ADDRESS", "221B Baker St")]),
    (
        "j'habite 12 rue de la Paix, 75002 Paris depuis 10 ans",
        [("ADDRESS", "12 rue de la Paix, 75002 Paris")],
    ),
    ("au 3 bis avenue Foch", [("ADDRESS", "3 bis avenue Foch")]),
    ("45, boulevard Haussmann, c'est là", [("ADDRESS", "45, boulevard Haussmann")]),
    (
        "Marie (marie@x.fr, 06 11 22 33 44) lives at 8 rue Victor Hugo",
        [("EMAIL", "marie@x.fr"), ("PHONE", "06 11 22 33 44"), ("ADDRESS", "8 rue Victor Hugo")],
    ),
    # --- negatives: product, dates, prices, public numbers and links stay readable
    ("batches L4821 and L4822 are recalled", []),
    ("best before 03/2027, bought on 12/11/2026", []),
    ("line stopped on 2026-11-25 at 18:00", []),
    ("it cost 4,99 € and the voucher is €5", []),
    ("a 1 299,99 € fridge full of granola", []),
    ("call the hotline 0 800 55 12 12 (free)", []),
    ("Belgium: +32 800 55 121, Switzerland: +41 800 55 1212", []),
    ("form at https://alpena.example/recall?lang=fr&id=123456789", []),
    ("open 8:00-20:00 CET, Monday to Saturday", []),
    ("3 reports, 500 g boxes, 14 days, 100%", []),
    ("in order to get a refund, send a photo", []),
    ("commande de 3 paquets le 25 novembre", []),
    ("invalid IBAN FR76 3000 6000 0112 3456 7890 188", []),
    ("not a card 4111 1111 1111 1112", []),
    ("I bought 2 boxes at the store", []),
    ("my ticket de caisse is lost", []),
]


def _score() -> tuple[float, float, list[str]]:
    tp = fp = fn = 0
    errors: list[str] = []
    for text, expected in LABELLED:
        got = {(e.kind, e.value) for e in mask_pii(text, allow=HOTLINES).entities}
        want = set(expected)
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
        if got != want:
            errors.append(f"{text!r}: got {sorted(got)}, want {sorted(want)}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, errors


def test_labelled_set_precision_and_recall() -> None:
    assert len(LABELLED) >= 40
    precision, recall, errors = _score()
    print(f"\nPII precision {precision:.3f} recall {recall:.3f} on {len(LABELLED)} strings")
    for e in errors:
        print("  ", e)
    assert precision >= 0.95
    assert recall >= 0.95


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("mail marie@x.fr or 06 12 34 56 78", "mail [EMAIL] or [PHONE]"),
        ("order #A-123456 to 12 rue de la Paix", "order #[ORDER_ID] to [ADDRESS]"),
        ("IBAN FR76 3000 6000 0112 3456 7890 189.", "IBAN [IBAN]."),
        ("card 4111 1111 1111 1111", "card [CARD]"),
        # French social-security number (NIR), grouped or not, Corsican department 2A (issue 18).
        ("mon numéro de sécu : 1 85 12 75 123 456 78", "mon numéro de sécu : [NATIONAL_ID]"),
        ("NIR 185127512345678", "NIR [NATIONAL_ID]"),
        ("n° 2 90 05 2A 004 012 35", "n° [NATIONAL_ID]"),
        ("batch L4821, best before 03/2027, 14 days", "batch L4821, best before 03/2027, 14 days"),
    ],
)
def test_placeholders(text: str, masked: str) -> None:
    assert mask_pii(text).text == masked


def test_entities_point_into_the_original_text() -> None:
    text = "Hi, I'm at 221B Baker St, phone +44 20 7946 0958."
    result = mask_pii(text)
    assert [text[e.start : e.end] for e in result.entities] == ["221B Baker St", "+44 20 7946 0958"]
    assert [e.placeholder for e in result.entities] == ["[ADDRESS]", "[PHONE]"]


def test_allow_list_keeps_public_numbers_in_any_format() -> None:
    text = "call 0 800 55 12 12 or +33 800 55 12 12 or 0800551212"
    assert mask_pii(text, allow=["0 800 55 12 12"]).entities == []
    assert len(mask_pii(text).entities) == 3


def test_entity_value_is_kept_out_of_serialisation() -> None:
    entity = mask_pii("marie@x.fr").entities[0]
    assert entity.value == "marie@x.fr"
    assert "marie" not in entity.model_dump_json() and "marie" not in repr(entity)


def test_redact_for_log() -> None:
    assert redact_for_log("user marie@x.fr said hi") == "user [EMAIL] said hi"


def test_validators() -> None:
    assert iban_valid("FR76 3000 6000 0112 3456 7890 189")
    assert not iban_valid("FR76 3000 6000 0112 3456 7890 188")
    assert luhn_valid("4111 1111 1111 1111") and not luhn_valid("4111 1111 1111 1112")
    assert phone_key("+33 (0)6 12 34 56 78") == phone_key("06 12 34 56 78") == "0612345678"
