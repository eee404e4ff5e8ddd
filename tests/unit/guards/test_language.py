"""The language guard: a reply (or a sentence of it) in another language than the comment's is flagged."""

from __future__ import annotations

from assistant.guards import check_text
from assistant.guards.language import language_flags

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
