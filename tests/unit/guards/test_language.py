"""The language guard: a reply (or a sentence of it) in another language than the comment's is flagged;
and the claim check accepts "not on the list" when the current list says so."""

from __future__ import annotations

from assistant.guards import check_draft, check_text
from assistant.guards.language import language_flags
from tests.unit.guards.guard_fixtures import context

FR = ("Bonjour Alex,\nOui : seuls les lots L4821 et L4822 sont concernés. Si votre paquet porte l'un de ces "
      "numéros, prenez une photo du numéro de lot et remplissez le formulaire.\n– L'équipe service client")
EN = ("Hi Alex,\nYes: only batches L4821 and L4822 are recalled. If your box carries one of these numbers, take "
      "a photo of the batch number and fill in the form.\n– The customer care team")
MIXED = ("Bonjour Alex,\nOui : seuls les lots L4821 et L4822 sont concernés, et le remboursement est versé sous "
         "quatorze jours par virement ou en bon d'achat, comme vous le préférez. We refund the full purchase price "
         "of every recalled box.\n– L'équipe service client")


def test_reply_in_the_comment_language_is_clean() -> None:
    assert language_flags(FR, "fr") == [] and language_flags(EN, "en") == []


def test_reply_in_another_language_is_high() -> None:
    (flag,) = language_flags(EN, "fr")
    assert flag.code == "wrong_language" and flag.severity == "high" and "'en'" in flag.message
    assert flag.span is not None and EN[flag.span[0]:].startswith("Yes")  # the greeting is not judged


def test_one_sentence_in_another_language_is_medium() -> None:
    flags = language_flags(MIXED, "fr")
    assert [f.code for f in flags] == ["sentence_language"] and flags[0].severity == "medium"
    start, end = flags[0].span or (0, 0)
    assert MIXED[start:end].startswith("We refund")


def test_short_or_unknown_language_is_not_judged() -> None:
    assert language_flags("Hi Alex,\nThanks!\n– Sam", "fr") == []
    assert language_flags(EN, "de") == []


def test_check_text_uses_the_requested_language() -> None:
    assert any(f.code == "wrong_language" for f in check_text(EN, language="fr"))
    assert not any(f.code == "wrong_language" for f in check_text(EN))  # its own language by default


# The claim check and the composer's "not on the list" verdict (answers.py writes it).

def test_a_batch_said_not_on_the_current_list_is_supported_by_the_list() -> None:
    ok = "Hi Alex,\nNo, L4835 is not on the list. Only batches L4821 and L4822 are recalled.\n– The team"
    assert not [f for f in check_draft(ok, context()) if "L4835" in f.message or f.severity == "high"]
    # Saying the same batch IS recalled stays unsupported.
    bad = "Hi Alex,\nYes, L4835 is recalled too.\n– The team"
    assert any("L4835" in f.message for f in check_draft(bad, context()))
