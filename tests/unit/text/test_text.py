"""The one text layer: each primitive tested once, on the edge cases where the old copies differed."""

import pytest

from assistant.text import (
    FILLER,
    STOPWORDS_EN,
    STOPWORDS_FR,
    analyze,
    content_stems,
    detect_language,
    fold,
    guess_language,
    sentences,
    split_sentences,
    stem,
    stems,
    term_set,
    words,
)


@pytest.mark.parametrize(
    "text",
    ["Remboursé à 100 %", "L’usine « Alpena » — 3,5 €", "Crème brûlée 😀 naïve", "ﬁnal ½ ²"],
)
def test_fold_keeps_length_so_spans_map_back(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_fold_lowers_strips_accents_and_unifies_punctuation() -> None:
    assert fold("Remboursé à 100 %") == "rembourse a 100 %"
    assert fold("L’usine « Alpena » — ok") == "l'usine \" alpena \" - ok"
    assert fold("😀") == "😀"  # outside the Latin planes: left alone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Titles and "No." before a number are not sentence ends (the old chunker split both).
        ("M. Dupont a appelé. Il attend.", ["M. Dupont a appelé.", "Il attend."]),
        ("Mme Martin et Dr. Lee sont là. Merci.", ["Mme Martin et Dr. Lee sont là.", "Merci."]),
        ("Order No. 12 is late. Sorry.", ["Order No. 12 is late.", "Sorry."]),
        ("We said no. Then we called.", ["We said no.", "Then we called."]),
        # Decimals, dates, amounts, batch ids and URLs stay whole.
        ("It costs 3,5 € or 3.5 EUR. Fine.", ["It costs 3,5 € or 3.5 EUR.", "Fine."]),
        ("A €5 voucher. Best before 03/2027. Call 0 800 55 12 12.",
         ["A €5 voucher.", "Best before 03/2027.", "Call 0 800 55 12 12."]),
        ("Lot L4821 is recalled. See alpena.example/recall. Thanks.",
         ["Lot L4821 is recalled.", "See alpena.example/recall.", "Thanks."]),
        ("Go to https://alpena.example/rappel?id=3.5 now. Ok.",
         ["Go to https://alpena.example/rappel?id=3.5 now.", "Ok."]),
        # A lowercase start after a full stop still starts a sentence (the old chunker kept them glued).
        ("it is recalled. and then what?", ["it is recalled.", "and then what?"]),
        # Emoji and repeated marks; line breaks always end a sentence (list items stay apart).
        ("Super!! 😀 Merci… Vraiment?!", ["Super!!", "😀 Merci…", "Vraiment?!"]),
        ("- item one\n- item two\n\nNext", ["- item one", "- item two", "Next"]),
        ("e.g. this one. ok", ["e.g. this one.", "ok"]),
        # A capital letter ending a lower-case phrase ends the sentence; an initial or a genus does not.
        ("It had too much vitamin D. We do not know yet.", ["It had too much vitamin D.", "We do not know yet."]),
        ("Tests found E. coli bacteria. Boil it.", ["Tests found E. coli bacteria.", "Boil it."]),
        ("John F. Kennedy said so. J. Smith came.", ["John F. Kennedy said so.", "J. Smith came."]),
        # Clock times: "9 a.m. to 7 p.m." is one sentence; "at 4 p.m. The next" ends one.
        ("Open from 9 a.m. to 7 p.m., daily. Next update at 4 p.m. Thanks.",
         ["Open from 9 a.m. to 7 p.m., daily.", "Next update at 4 p.m.", "Thanks."]),
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected
    assert [text[a:b] for a, b in split_sentences(text)] == expected


def test_words_keep_joined_forms() -> None:
    assert words(fold("L’usine de Rennes, lot L-4821, DLC 03/2027")) == [
        "l'usine", "de", "rennes", "lot", "l-4821", "dlc", "03/2027"]


def test_analyze_drops_elision_and_stop_words_and_keeps_identifiers() -> None:
    assert analyze("l'usine") == analyze("usine") == list(stems("usine"))
    assert analyze("the and le la de") == []
    assert analyze("Lot L-4821") == [*stems("lot"), "l-4821", "l4821"]
    # A range written with a dash (folded to "-") still finds each batch.
    assert {"l4821", "l4822"} <= set(analyze("Lots L4821–L4822"))
    assert "2026" not in analyze("le 2026-12-04")  # a date's year alone would match every date
    assert "l4822" in analyze("Lot L4822 !")
    assert "03/2027" in analyze("à consommer avant 03/2027") and "032027" in analyze("avant 03/2027")


def test_one_stemmer_for_retrieval_and_grounding() -> None:
    assert set(analyze("remboursement")) & set(analyze("remboursés"))
    assert set(analyze("refunds")) & set(analyze("refunded"))
    # Grounding (content stems) and retrieval (terms) stem a word the same way: retrieval indexes
    # both language stems, grounding keys a word by the first (shorter) of them.
    for word in ("remboursement", "refunds", "rappelés", "recalled", "usine", "batches"):
        assert content_stems(fold(word)) == {stem(fold(word))} and term_set(word) == set(stems(fold(word)))
        assert stems(fold(word))[0] == stem(fold(word))


def test_stop_words_one_list_per_language_filler_only_for_grounding() -> None:
    assert {"the", "and", "which"} <= STOPWORDS_EN and {"le", "les", "quand"} <= STOPWORDS_FR
    assert not STOPWORDS_EN & {"refund", "batch", "recall"} and not STOPWORDS_FR & {"lot", "rappel"}
    # "update" states no fact (the claim check ignores it) but is still a search term.
    assert "update" in FILLER and content_stems("next update") == {stem("next")}
    assert stem("update") in term_set("next update")
    # Numbers are facts checked elsewhere, not content words.
    assert content_stems("14 days") == {stem("days")}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Where is my refund? Three weeks already.", "en"),
        ("Je fais quoi avec mes paquets du lot L4821 ?", "fr"),
        ("mdr", "fr"),
        ("lol", "en"),
        ("Merci", "fr"),
    ],
)
def test_language(text: str, lang: str) -> None:
    assert guess_language(text) == lang
    assert detect_language(text)[0] == lang


def test_language_outside_the_known_ones_when_clear() -> None:
    lang, conf, reason = detect_language("Dónde puedo devolver el producto que compré la semana pasada?")
    assert lang == "es" and conf >= 0.5 and "not one of" in reason


# The claim check's cases (moved here with the splitter: one rule, tested once).
CLAIM_CHECK_SENTENCES = {
    "Hi Marie. Refunds take 14 days.": ["Hi Marie.", "Refunds take 14 days."],
    "It costs €4.99. Best before 03/2027. Thanks!": ["It costs €4.99.", "Best before 03/2027.", "Thanks!"],
    "See https://alpena.example/recall. Call 0 800 55 12 12.": [
        "See https://alpena.example/recall.",
        "Call 0 800 55 12 12.",
    ],
    "M. Dupont, e.g. this one. Next?": ["M. Dupont, e.g. this one.", "Next?"],
    "Ref no. 12 is fine. The answer is no. Sorry": ["Ref no. 12 is fine.", "The answer is no.", "Sorry"],
    "Line one\nLine two": ["Line one", "Line two"],
}


@pytest.mark.parametrize(("text", "expected"), CLAIM_CHECK_SENTENCES.items())
def test_sentences_as_the_claim_check_sees_them(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == expected
