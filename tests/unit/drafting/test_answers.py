"""Answer selection by the kind of answer a question needs, on a small knowledge base built here."""

from __future__ import annotations

import pytest

from assistant.drafting.answers import (
    Picker,
    answer_question,
    asks_ahead,
    counted_noun,
    format_plan,
    negates_word,
    next_update,
    plan_answers,
)
from assistant.drafting.candidates import candidates
from assistant.drafting.items import known_items, verdict_sentence
from assistant.drafting.questions import find_questions
from assistant.models import SearchHit
from assistant.text import analyze


def hit(n: int, heading: str, text: str, kind: str = "fact_sheet", language: str = "en") -> SearchHit:
    return SearchHit(doc_id=f"doc-{kind}", chunk_id=f"doc-{kind}::{n}", title="Ferry disruption", kind=kind,
                     language=language, approved=True, score=1.0, text=text, heading=heading)


HITS = [
    hit(0, "Situation", "The following sailings are cancelled: NV102, NV104 and NV211.\n"
                        "Sailings NV106 and NV215 will run as planned.\nAbout 2,300 passengers are affected."),
    hit(1, "Still under investigation", "We do not know yet what caused the failure.\n"
                                        "We expect the results by 30 November 2026."),
    hit(2, "Passengers on a cancelled sailing",
        "If your sailing is cancelled, claim your refund with the form at https://ferry.example/claim\n"
        "Refunds are paid within 10 working days.\nNo receipt is needed for the refund.\n"
        "Each passenger receives a €40 travel voucher.\nHotel costs are reimbursed up to €120 per night."),
    hit(3, "Compensation", "Lost wages are not reimbursed.\nThe voucher is applied automatically, with nothing to do."),
    hit(4, "Contact", "Passenger line: +33 2 98 00 41 41.\nThe next update will be published on 29 November 2026 "
                      "at 10:00."),
    # An FAQ whose questions are written as bold lines in the body: never a sentence of a reply.
    hit(5, "FAQ", "**My pet is booked with me. What happens?**\nPets are rebooked or refunded with the ticket.",
        kind="faq"),
]


def answer(text: str) -> tuple[str | None, list[str]]:
    cands = candidates(HITS, "en")
    picker = Picker(cands, "en")
    (q, *_) = find_questions(text, known_items(cands))
    ans = answer_question(q, picker, set(), language="en")
    return ans.verdict, [s for s, _ in ans.sentences]


# question -> (verdict, a phrase the first answer sentence must contain)
EXPECTATIONS: dict[str, tuple[str | None, str]] = {
    "Is NV104 cancelled?": ("yes", "NV104"),
    "Is my sailing NV110 cancelled?": ("no", "No, NV110 is not on the list"),
    "We're on NV106 tonight, is it still going?": ("yes", "Yes: Sailings NV106 and NV215 will run"),
    "How long does the refund take?": (None, "10 working days"),
    "How much is the voucher?": (None, "€40"),
    "How many passengers are affected?": (None, "2,300"),
    "Do I need a receipt?": ("no", "No: no receipt"),
    "Do I have to claim the voucher somewhere?": ("no", "automatically"),
    "Why did the system fail?": (None, "We do not know yet"),
    "When will you know what caused it?": (None, "We do not know yet"),
    "What's the phone number?": (None, "+33 2 98 00 41 41"),
    "Will you pay my lost wages?": ("no", "Lost wages are not reimbursed"),
}


@pytest.mark.parametrize("question", list(EXPECTATIONS))
def test_answer_by_kind(question: str) -> None:
    verdict, sentences = answer(question)
    want_verdict, phrase = EXPECTATIONS[question]
    assert sentences, f"no answer to {question!r}"
    assert verdict == want_verdict and phrase in sentences[0], sentences


def test_not_known_yet_comes_with_the_date_it_is_expected() -> None:
    _, sentences = answer("Why did the system fail?")
    assert sentences == ["We do not know yet what caused the failure.", "We expect the results by 30 November 2026."]


def test_a_yes_on_an_item_is_followed_by_what_to_do() -> None:
    _, sentences = answer("Is NV104 cancelled?")
    assert len(sentences) == 2 and "claim your refund" in sentences[1]


def test_nothing_relevant_means_no_answer_rather_than_filler() -> None:
    verdict, sentences = answer("Can I bring my bicycle on board?")
    assert verdict is None and sentences == []


def test_faq_questions_are_never_candidates_and_next_update_is_found() -> None:
    cands = candidates(HITS, "en")
    assert not any("What happens" in c.text or c.text.startswith("My pet") for c in cands)
    nxt = next_update(Picker(cands, "en"), set())
    assert nxt is not None and "29 November 2026" in nxt.text


def test_same_sentence_is_never_used_twice() -> None:
    cands = candidates(HITS, "en")
    picker = Picker(cands, "en")
    used: set[str] = set()
    (q,) = find_questions("How long does the refund take?")
    first = answer_question(q, picker, used, language="en")
    again = answer_question(q, picker, used, language="en")
    assert first.sentences and not {s for s, _ in first.sentences} & {s for s, _ in again.sentences}


def test_plan_for_a_model_prompt_lists_questions_and_cited_candidates() -> None:
    questions, answers = format_plan(plan_answers("Is NV110 cancelled? Can I bring my bicycle on board?", HITS, "en"))
    assert questions.splitlines() == ["1. (item) Is NV110 cancelled?", "2. (can) Can I bring my bicycle on board?"]
    assert "1. [doc-fact_sheet::0] No, NV110 is not on the list." in answers
    assert "2. no source answers this: say it is not known yet" in answers
    assert format_plan([]) == ("(none)", "(none)")


SCHOOLS = [
    hit(0, "Schools", "The nine schools concerned are Jules-Ferry, Les Tilleuls, Paul-Bert and Pasteur.\n"
                      "The Victor-Hugo and Saint-Exupéry schools are not concerned: their meals come from another "
                      "kitchen."),
    hit(1, "Parcels", "Affected parcels have a tracking number beginning with PXL27 or PXL28.\n"
                      "A boil-water notice applies to postcodes 61210, 61220 and 61230."),
    hit(2, "FAQ", "**Can I use a kettle?**\nYes, if the water comes to a full boil.", kind="faq"),
]


def answer_in(hits: list, text: str) -> tuple[str | None, list[str]]:
    cands = candidates(hits, "en")
    (q, *_) = find_questions(text, known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    return ans.verdict, [s for s, _ in ans.sentences]


@pytest.mark.parametrize(("question", "verdict", "start"), [
    # Hyphenated names are items whole, in a list after a comma too.
    ("Is Paul-Bert one of the affected schools?", "yes", "Yes: the nine schools concerned"),
    ("My daughter goes to Victor-Hugo, is her school affected?", "no", "No: the Victor-Hugo"),
    # "applies to" says what is in scope; a reference of the listed shape that no list names is not on it.
    ("Is 61220 under the boil water notice?", "yes", "Yes: a boil-water notice applies"),
    ("My parcel starts with PXM27, am I affected?", "no", "No, PXM27 is not on the list."),
])
def test_items_named_the_way_lists_name_them(question: str, verdict: str, start: str) -> None:
    got, sentences = answer_in(SCHOOLS, question)
    assert got == verdict and sentences[0].startswith(start), sentences


def test_an_faq_answer_that_says_yes_itself_gets_no_second_yes_and_is_never_a_next_step() -> None:
    cands = candidates(SCHOOLS, "en")
    kettle = next(c for c in cands if c.text.startswith("Yes, if"))
    assert verdict_sentence("en", "yes", kettle) == "Yes, if the water comes to a full boil."
    _, sentences = answer_in(SCHOOLS, "Is PXL28 affected?")
    assert sentences[0].lower().startswith("yes: affected parcels")
    assert not any(s.startswith("Yes, if") for s in sentences)


def test_no_yes_or_no_about_a_masked_reference() -> None:
    hits = [hit(0, "Scope", "Parcels with any other prefix are not affected.\nAffected parcels begin with PXL27.")]
    verdict, sentences = answer_in(hits, "Is my parcel [ORDER_ID] affected?")
    assert verdict is None and not any(s.startswith(("No", "Yes")) for s in sentences)


@pytest.mark.parametrize("question", [
    "Someone rang me saying they're from your fraud team, is that legit?",
    "I got a text with a link to confirm my refund, should I click?",
])
def test_a_scam_check_is_answered_no_from_the_never_ask_sentence(question: str) -> None:
    hits = [hit(0, "Fraud", "We will never ask you by phone or text message for your codes.\n"
                            "Refunds are paid within 15 days."),
            hit(1, "Texts", "Text messages reading \"confirm your refund\" are not from us; do not click on them.")]
    verdict, sentences = answer_in(hits, question)
    assert verdict == "no" and sentences[0].startswith("No: "), sentences


@pytest.mark.parametrize(("question", "verdict"), [
    ("Is centre LYO04 affected?", "yes"), ("Is PAR11 affected?", "yes"),
    ("Is centre NCE05 affected?", "no"),
])
def test_a_reference_written_without_its_hyphen_is_the_listed_one(question: str, verdict: str) -> None:
    hits = [hit(0, "Scope", "Candidates are affected in five test centres: PAR-11 (Paris), LYO-04 (Lyon) and "
                            "BRU-02 (Brussels).")]
    got, sentences = answer_in(hits, question)
    assert got == verdict, sentences


AGENCY = [
    hit(0, "Situation", "On 29 November 2026 at 23:40 a fire broke out in the hall of our Saint-Priest agency.\n"
                        "About 14,200 parcels were destroyed."),
    hit(1, "Not known yet", "We do not know yet when the Saint-Priest agency will reopen."),
    hit(2, "Updates", "The next update will be published on 4 December 2026 at 17:00."),
]


def test_not_known_yet_answers_a_when_before_a_past_date_and_the_next_update_follows() -> None:
    cands = candidates(AGENCY, "en")
    (q,) = find_questions("When does the Saint-Priest agency reopen?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert [s for s, _ in ans.sentences] == ["We do not know yet when the Saint-Priest agency will reopen.",
                                             "The next update will be published on 4 December 2026 at 17:00."]


CONTACTS = [
    hit(0, "How to know", "Your candidate number starts with the code of your centre (for example PAR-11-04412)."),
    hit(1, "Contacts", "Press: press@evalangue.example.\nCandidate service: +33 1 76 45 20 20, Monday to Friday, "
                       "or candidates@evalangue.example."),
]


@pytest.mark.parametrize(("text", "expected"), [
    ("a number to reach you? nobody answers emails", "Candidate service: +33 1 76 45 20 20"),
    ("what's your email?", "Candidate service"),  # the press office answers journalists only
    ("I'm a journalist, who is your press contact?", "Press: press@evalangue.example."),
])
def test_a_contact_question_gets_the_line_it_asks_for(text: str, expected: str) -> None:
    cands = candidates(CONTACTS, "en")
    (q,) = find_questions(text, known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.sentences[0][0].startswith(expected)


INQUIRY = [
    hit(0, "What we have done", "He was removed from all our stores on 3 December 2026 and will not work in them while "
                                "the investigation runs.\nAn independent investigation by the firm Altessa is under "
                                "way.\nIts conclusions are expected by 18 December 2026."),
    hit(1, "Witnesses", "Please send videos to witnesses@shop.example. They will be passed on to the independent "
                        "investigation."),
]


def test_who_gets_the_firm_and_when_will_we_know_the_date_to_come() -> None:
    cands = candidates(INQUIRY, "en")
    picker, used = Picker(cands, "en"), set[str]()
    who, when = find_questions("Who is running the investigation and when will we know the results?")
    assert (who.kind, when.kind) == ("who", "when")
    first = answer_question(who, picker, used, language="en")
    assert first.sentences[0][0] == "An independent investigation by the firm Altessa is under way."
    # not the day he was removed: the date expected after what the reply already says
    second = answer_question(when, picker, used, language="en", hint=set(analyze("investigation")))
    assert second.sentences[0][0] == "Its conclusions are expected by 18 December 2026."


STORE = [
    hit(0, "The store", "The Gratte-Ciel store stays open at its usual hours, 8:30 to 21:00.\n"
                        "A security guard must never touch, hold or search a customer, or search a customer's bag."),
]


@pytest.mark.parametrize(("text", "first"), [
    # the opposite state is a no
    ("Is the Gratte-Ciel store closing on Saturday because of the protest?", "No: the Gratte-Ciel store stays open"),
    # "security guards" is a job, not a question of safety; a negation over a list covers all of it
    ("Are your security guards even allowed to search bags?", "No: a security guard must never touch"),
])
def test_a_yes_no_question_gets_no_from_a_sentence_that_says_otherwise(text: str, first: str) -> None:
    cands = candidates(STORE, "en")
    (q,) = find_questions(text, known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "no" and ans.sentences[0][0].startswith(first)


def test_a_claim_checked_is_the_question_and_a_denial_answers_it() -> None:
    (q,) = find_questions("Heard on local radio that the sailings were cancelled. Is that true?")
    assert q.claim and q.kind == "yes_no" and {"sail", "cancel"} & set(q.terms)
    (q,) = find_questions("il parait que toute la session est annulée, c vrai ?")
    assert q.claim and "session" in q.terms
    cands = candidates([hit(0, "Sessions", "The 14 November session is not cancelled.")], "en")
    (q,) = find_questions("Someone says the 14 November session is cancelled. Is that right?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "no" and ans.sentences[0][0] == "No: the 14 November session is not cancelled."


def test_never_a_yes_to_whether_something_can_be_eaten_safely() -> None:
    cands = candidates([hit(0, "Scope", "Only batches L4821 and L4822 are affected.")], "en")
    (q,) = find_questions("Can my kids eat the L4823 granola safely?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict is None


def test_how_many_people_gets_the_count_of_those_affected() -> None:
    cands = candidates([hit(0, "Scope", "Candidates of the 21 November 2026 session are not affected.\n"
                                        "About 2,350 candidates are affected, in five test centres.\n"
                                        "Scores were too low by 15 to 90 points.")], "en")
    (q,) = find_questions("how many people got the wrong score?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.sentences[0][0] == "About 2,350 candidates are affected, in five test centres."


def test_the_date_expected_for_what_is_not_known_yet_two_sentences_on() -> None:
    from assistant.drafting.answers import expected_after

    cands = candidates([hit(0, "What we do not know yet", "We do not know yet whether the data were copied.\n"
                                                         "A technical investigation is carried out by Trellis.\n"
                                                         "We expect its conclusions by 11 December 2026."),
                        hit(1, "Timeline", "We do not know yet the cause.\nThe fire started on 29 November 2026.")],
                       "en")
    picker = Picker(cands, "en")
    unknown, cause = cands[0], cands[3]
    assert [c.text for c in expected_after(picker, unknown, set())] == [
        "A technical investigation is carried out by Trellis.", "We expect its conclusions by 11 December 2026."]
    assert expected_after(picker, cause, set()) == []  # a date that has passed is no date expected


def test_the_faq_entry_asking_the_same_thing_answers_with_its_yes_or_no() -> None:
    faq = [hit(0, "FAQ > Dois-je repasser le test ?", "Non. Les résultats sont corrigés automatiquement, vous "
                                                      "n'avez rien à faire.", kind="faq", language="fr"),
           hit(1, "Situation", "Environ 2 350 candidats sont concernés, dans cinq centres d'examen.", language="fr")]
    cands = candidates(faq, "fr")
    (q,) = find_questions("Est-ce que je dois repasser l'examen ??", known_items(cands))
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    assert ans.verdict == "no"
    assert ans.sentences[0][0] == "Non : les résultats sont corrigés automatiquement, vous n'avez rien à faire."


def test_down_is_a_word_of_the_question_so_the_part_about_it_gives_the_verdict() -> None:
    # "down" was a stop word: "can my score go down?" then matched the part about the score going up,
    # and got a "Yes".
    cands = candidates([hit(0, "Correction", "No score will go down: the correction can only increase the "
                                             "listening score.")], "en")
    (q,) = find_questions("Can my score go DOWN after you correct it?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "no"


SCORES = [hit(0, "Situation", "About 2,350 candidates are affected, in five test centres: PAR-11, LYO-04 and DKR-01.\n"
                              "Candidates of the other centres and of the 21 November 2026 session are not affected."),
          hit(1, "Boiling", "Other sectors, including Val-Nord, are not affected: tap water can be drunk there "
                            "without boiling it.\nPostcodes starting with J7V 4 or J7V 5 must boil their water.")]


def test_a_stated_exclusion_that_names_the_authors_case_beats_the_list() -> None:
    cands = candidates(SCORES, "en")
    (q,) = find_questions("took it in Paris PAR-11 but on 21 November, not the 14th, am I affected?",
                          known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "no" and "21 November 2026 session are not affected" in ans.sentences[0][0]
    # What is said of the exclusion's other part ("without boiling it") is not the author's case.
    (q,) = find_questions("I'm in LYO-04, do I need to boil the water, are we affected?", known_items(cands))
    assert answer_question(q, Picker(cands, "en"), set(), language="en").verdict == "yes"


HOSPITAL = [hit(0, "What is postponed", "Planned consultations and non-urgent operations at the Saint-Clair site "
                                        "from 2 to 9 December 2026 are postponed.\nEvery patient whose appointment "
                                        "is postponed is called by phone by 11 December 2026: there is no need to "
                                        "call us."),
            hit(1, "What is working", "If data was copied, every patient concerned will be told personally.")]


@pytest.mark.parametrize(("text", "verdict"), [
    ("My mum has a follow-up at Saint-Clair on the 4th, should she still go?", "no"),
    ("My op at Saint-Clair on 7 December - off or on?", None),  # a choice of two states: no yes or no
])
def test_told_it_is_not_going_ahead_the_author_learns_what_happens_next(text: str, verdict: str | None) -> None:
    cands = candidates(HOSPITAL, "en")
    q = next(q for q in find_questions(text, known_items(cands, text)) if q.kind == "item")
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    said = [s for s, _ in ans.sentences]
    assert ans.verdict == verdict and "postponed" in said[0] and not said[0].startswith("Yes")
    assert "by 11 December 2026" in said[1]  # "operations" (surgery) is no sign that it still runs


@pytest.mark.parametrize(("text", "language"), [
    ("do i need to call to rebook or will you call me", "en"),
    ("faut appeler pour reprendre rdv ?", "fr"),
])
def test_asked_whether_it_is_needed_the_part_that_says_so_answers(text: str, language: str) -> None:
    sentence = {"en": "Every patient whose appointment is postponed is called by phone by 11 December 2026: there "
                      "is no need to call us.",
                "fr": "Chaque patient dont le rendez-vous est reporté est appelé par téléphone d'ici le 11 décembre "
                      "2026 : inutile d'appeler."}[language]
    other = {"en": "Maternity and dialysis continue as planned.\nPrescriptions remain valid in pharmacies.",
             "fr": "La maternité et la dialyse continuent.\nLes ordonnances restent valables en pharmacie."}[language]
    cands = candidates([hit(0, "Appointments", sentence, language=language),
                        hit(1, "What works", other, language=language)], language)
    (q,) = find_questions(text, [])
    assert q.kind == "can"  # "call" and "appeler" do not make it a request for a phone number
    ans = answer_question(q, Picker(cands, language), set(), language=language)
    assert ans.verdict == "no"


@pytest.mark.parametrize(("text", "language"), [("where tf is the serial number on this thing", "en"),
                                                ("numero de serie cest ou svp", "fr")])
def test_where_a_thing_is_written_answers_where(text: str, language: str) -> None:
    sentence = {"en": "Check the serial number on the white label under the seat shell.",
                "fr": "Vérifiez le numéro de série sur l'étiquette blanche sous la coque du siège."}[language]
    cands = candidates([hit(0, "Serial", sentence, language=language),
                        hit(1, "Contact", "Recall line: 01 84 88 40 40." if language == "en" else
                            "Ligne rappel : 01 84 88 40 40.", language=language)], language)
    (q,) = find_questions(text, [])
    assert q.kind == "where"
    ans = answer_question(q, Picker(cands, language), set(), language=language)
    assert ans.sentences[0][0] == sentence


@pytest.mark.parametrize("text", ["Qu'est-ce qui s'est passé exactement ?", "Que s'est-il passé ?"])
def test_what_happened_gets_the_fact_sheets_reason(text: str) -> None:
    cands = candidates([hit(0, "Ce qui s'est passé", "Les salaires de décembre n'ont pas été versés le 1er décembre.\n"
                                                    "La panne vient d'une mise à jour du logiciel installée le 29 "
                                                    "novembre 2026.", language="fr"),
                        hit(1, "Remboursements", "Les agios sont remboursés sur justificatif.", kind="policy",
                            language="fr")], "fr")
    (q,) = find_questions(text, [])
    assert q.kind == "why"
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    assert ans.sentences[0][0].startswith("La panne vient d'une mise à jour")


def test_a_when_question_never_gets_an_faq_answers_own_yes() -> None:
    cands = candidates([hit(0, "FAQ > Puis-je boire l'eau bouillie ?", "Oui, si l'eau arrive à ébullition.",
                            kind="faq", language="fr"),
                        hit(1, "Levée", "La consigne sera levée quand deux séries de prélèvements seront conformes.\n"
                                        "Les premiers résultats sont attendus le 4 décembre 2026 à 12 h 00.",
                            language="fr")], "fr")
    (q,) = find_questions("c'est quand que ça se termine cette histoire d'eau ?", [])
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    assert not any(s.startswith("Oui") for s, _ in ans.sentences)
    assert set(analyze("levée")) <= q.related  # "se termine" is "levée"


SKI = [
    hit(0, "Lifts", "Without the gondola, the upper area cannot be reached, so the Crêtes chairlift is closed too.\n"
                    "The lower area is open every day from 9:00 to 16:30: the Forêt chairlift and the Lac drag lift.\n"
                    "The upper area is closed and not patrolled; ski touring on the upper slopes is forbidden."),
    hit(1, "Season passes", "Season pass holders receive a €75 credit on next season's pass.\n"
                            "No request is needed."),
    hit(2, "What to do", "Stop using the upper car park.\nIf you see a warning light, call the lift office."),
]


@pytest.mark.parametrize(("text", "verdict", "says"), [
    # "running" asked, "closed" said: a no, not a yes drawn from a sentence that names the lift
    ("Is the Crêtes chairlift running this weekend?", "no", "Crêtes chairlift is closed"),
    # of the sentences naming the lift, the one that says what was asked ("open")
    ("Is the Forêt chairlift open tomorrow?", "yes", "open every day"),
    # "forbidden" says no without a "not"
    ("Can we skin up to the top with touring skis?", "no", "forbidden"),
    # asked whether it is needed, the sentence that says so, not the one about the credit
    ("Do I need to make a request for the €75 season pass credit?", "no", "no request is needed"),
])
def test_verdicts_from_the_sentence_that_says_what_was_asked(text: str, verdict: str, says: str) -> None:
    cands = candidates(SKI, "en")
    picker = Picker(cands, "en")
    (q, *_) = find_questions(text, known_items(cands, text))
    ans = answer_question(q, picker, set(), language="en")
    assert ans.verdict == verdict and says in ans.sentences[0][0]


def test_the_fact_sheets_first_instruction_beats_a_condition_as_the_next_step() -> None:
    from assistant.drafting.answers import next_action
    cands = candidates(SKI, "en")
    picker = Picker(cands, "en")
    (q, *_) = find_questions("Is the Crêtes chairlift affected?", known_items(cands))
    step = next_action(picker, q, set())
    assert step is not None and step.text == "Stop using the upper car park."


RAIL = [
    hit(0, "What happened", "The winter timetable started on 30 November 2026, with a new crew rostering system.\n"
                            "The system gave drivers shifts they could not legally work: one train in three was "
                            "cancelled.\nIt is not a strike."),
    hit(1, "Replacement buses", "On R4, a replacement bus (le car de substitution) runs every hour.\n"
                                "Bicycles cannot be taken on the replacement buses."),
]
RAIL = [h.model_copy(update={"title": "Cancelled trains since the winter timetable"}) for h in RAIL]


@pytest.mark.parametrize("text", ["Why so many cancellations??", "What is actually wrong with your trains?"])
def test_a_why_no_because_answers_gets_the_fact_sheets_account(text: str) -> None:
    cands = candidates(RAIL, "en")
    (q, *_) = find_questions(text, known_items(cands))
    assert q.kind == "why"
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert [s for s, _ in ans.sentences][:2] == [c.text for c in cands[:2]]


def test_a_why_is_answered_by_what_is_not_known_when_the_cause_is_not() -> None:
    hits = [*RAIL[:1], hit(2, "What we do not know yet", "We do not know yet what caused the failure.")]
    cands = candidates(hits, "en")
    (q, *_) = find_questions("why did it break??", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.sentences[0][0] == "We do not know yet what caused the failure."


def test_a_bus_called_car_is_no_reason() -> None:
    from assistant.drafting.answers import REASON
    assert not REASON.search("un taxi est rembourse si aucun car de substitution ne circule")
    assert REASON.search("les trains sont supprimes, car le systeme a attribue des services impossibles")


def test_a_list_introduction_and_its_short_items_are_one_sentence_to_state() -> None:
    lines = hit(0, "Lines", "A reduced timetable applies until 13 December 2026 on these lines:\n- R1 Caen – Vire\n"
                            "- R3 Caen – Lisieux\n\nThe recalled lots are:\n- Adult Chicken dry dog food, 3 kg and "
                            "12 kg bags of the autumn range sold in shops, lots CA26-0410 to CA26-0455.")
    texts = [c.text for c in candidates([lines], "en")]
    assert "A reduced timetable applies until 13 December 2026 on these lines: R1 Caen – Vire, R3 Caen – Lisieux." \
        in texts
    # a short introduction, or long items, stay apart (the items are facts of their own)
    assert not any(t.startswith("The recalled lots are") for t in texts)
    (q, *_) = find_questions("Until when is the reduced timetable on?", [])
    ans = answer_question(q, Picker(candidates([lines], "en"), "en"), set(), language="en")
    assert "13 December 2026" in ans.sentences[0][0]


def test_a_permission_naming_a_place_asks_the_permission_not_about_the_place() -> None:
    (q, *_) = find_questions("Can I bring my bike on the replacement bus from Bayeux?", ["Bayeux"])
    assert q.kind == "can"
    (q, *_) = find_questions("Is Bayeux affected?", ["Bayeux"])
    assert q.kind == "item"


def test_an_faq_question_worded_otherwise_is_found_by_meaning() -> None:
    from assistant.drafting.meaning import similarities
    faq = [hit(7, "FAQ > May I take a bicycle aboard the rail replacement coaches?",
               "No. Only folded bikes in a bag may travel on the coaches.\nFull-size bikes stay at the station.",
               kind="faq"),
           hit(8, "FAQ > Can I use my ticket on a coach?", "Yes. Regional coaches accept it until 13 December 2026.",
               kind="faq")]
    cands = candidates([*RAIL, *faq], "en")
    picker = Picker(cands, "en")
    text = "Can I bring my bike on the replacement bus? I cycle the last bit to work"
    (q, *_) = find_questions(text, known_items(cands))
    sim = similarities([q.text], text, [*(c.text for c in cands), *(h.heading.split(" > ")[-1] for h in faq)])[0]
    ans = answer_question(q, picker, set(), language="en", sim=sim)
    assert ans.verdict == "no" and ans.sentences[0][0].startswith("No: only folded bikes")
    # without the meaning of the FAQ's questions, "bring" is not "take": no entry is that answer
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert not ans.sentences or not ans.sentences[0][0].startswith("No: only folded")


def test_a_question_ending_on_that_asks_about_the_sentence_before() -> None:
    (q,) = find_questions("I had to take two days unpaid to look after my son. Are you paying me back for that?")
    assert "unpaid" in q.text and {"unpaid", "day"} <= q.context
    (q,) = find_questions("Are you paying me back?")  # nothing before: the question alone
    assert q.text == "Are you paying me back?"


def test_yes_or_no_alone_asks_the_question_before_it_not_a_new_one() -> None:
    assert [q.text for q in find_questions("Did anyone download the leaked data? Oui ou non ?")] == [
        "Did anyone download the leaked data?"]
    assert len(find_questions("Yes or no?")) == 1  # alone, it is still the comment's question


def test_an_faq_answer_that_denies_what_was_asked_is_a_no() -> None:
    faq = hit(7, "FAQ > Dois-je changer mon mot de passe ?",
              "Ce n'est pas nécessaire, car les mots de passe ne sont pas concernés.", kind="faq", language="fr")
    cands = candidates([faq, *(h.model_copy(update={"language": "fr"}) for h in HITS)], "fr")
    (q,) = find_questions("mon mot de passe a fuité ?")
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    assert ans.verdict == "no" and ans.sentences[0][0].startswith("Non : ce n'est pas nécessaire")
    (q,) = find_questions("comment changer mon mot de passe ?")  # not a yes-or-no question: no verdict
    assert answer_question(q, Picker(cands, "fr"), set(), language="fr").verdict is None


def test_a_sentence_whose_subject_is_the_sentence_before_comes_with_it() -> None:
    lines = hit(9, "Investigation", "We do not know yet why the guard targeted this customer. It is one of the "
                                    "questions of the independent investigation.\nIt is possible to file a complaint.")
    cands = candidates([lines], "en")
    (q,) = find_questions("Which questions will the independent investigation look at?")
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert [s for s, _ in ans.sentences][:2] == ["We do not know yet why the guard targeted this customer.",
                                                 "It is one of the questions of the independent investigation."]
    (q,) = find_questions("Can I file a complaint?")  # an impersonal "it is possible to" points at nothing
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.sentences[0][0].endswith("It is possible to file a complaint.") or \
        ans.sentences[0][0].startswith("Yes")
    assert all("guard" not in s for s, _ in ans.sentences)


def test_nous_attendons_ses_conclusions_is_a_date_expected() -> None:
    lines = hit(9, "Ce que nous ne savons pas encore", "Nous ne savons pas encore si les données ont été copiées.\n"
                "Une enquête technique est menée par le cabinet Trellis.\nNous attendons ses conclusions pour le "
                "11 décembre 2026.", language="fr")
    cands = candidates([lines], "fr")
    (q,) = find_questions("Est-ce que les données ont été copiées ?")
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    assert "11 décembre 2026" in " ".join(s for s, _ in ans.sentences)


def test_what_do_we_get_is_answered_by_the_compensation_amount_whatever_its_words() -> None:
    grants = hit(9, "Our policy", "Each affected candidate can choose a free re-sit or a €50 voucher.\n"
                                  "Results are published on 9 December 2026.")
    cands = candidates([*HITS, grants], "en")
    for text in ("what do we get for this mess?", "how will you make it up to us?"):
        (q, *_) = find_questions(text, known_items(cands))
        sentences = [s for s, _ in answer_question(q, Picker(cands, "en"), set(), language="en").sentences]
        assert sentences and "€" in sentences[0], (text, sentences)


def test_a_claim_denied_in_words_of_the_same_concept_is_a_no() -> None:
    sheet = hit(9, "Situation", "All 64 people working that night were evacuated. Nobody was injured.\n"
                                "The site stays closed until 8 December 2026.")
    cands = candidates([*HITS, sheet], "en")
    (q,) = find_questions("Heard on local radio that 3 workers died in that fire. Is that true?")
    assert q.claim
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "no" and ans.sentences[0][0].lower() == "no: nobody was injured."
    # not a claim: "did anyone die?" is no check of something said, and its own words decide
    (q,) = find_questions("Did workers die?")
    assert answer_question(q, Picker(cands, "en"), set(), language="en").verdict is None


def test_may_i_still_eat_it_gets_a_yes_or_no_only_when_the_knowledge_says_so_in_words() -> None:
    lots = hit(9, "Recalled batches", "Only batches L4821 and L4822 are recalled.\nDo not eat the product.")
    water = hit(10, "Sectors", "Val-Nord is not affected: tap water there can be drunk without boiling.\n"
                               "In Val-Sud the water must be boiled.")
    for text, cands_of, verdict in (("Is batch L4822 still fine to eat?", [lots], None),
                                    ("can I still eat my L4821 granola?", [lots], "no"),  # "Do not eat"
                                    ("Is L4822 recalled?", [lots], "yes"),
                                    ("I'm in Val-Nord, can I drink the tap water or not?", [water], "yes")):
        cands = candidates([*HITS, *cands_of], "en")
        answers = [answer_question(q, Picker(cands, "en"), set(), language="en")
                   for q in find_questions(text, known_items(cands))]
        assert next((a.verdict for a in answers if a.verdict), None) == verdict, (text, answers)


def test_a_yes_to_will_you_pay_needs_a_sentence_about_paying() -> None:
    advice = hit(9, "Health", "If your child has symptoms, consult a doctor and call the hotline.")
    cands = candidates([*HITS, advice], "en")
    (q,) = find_questions("Will you pay the doctor bill?", known_items(cands))
    assert q.kind == "can"
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict is None and not any(s.startswith("Yes") for s, _ in ans.sentences)
    (q,) = find_questions("Will you pay the hotel?", known_items(cands))  # the policy speaks of it: a yes
    assert answer_question(q, Picker(cands, "en"), set(), language="en").verdict == "yes"


def test_an_faq_yes_or_no_is_ours_only_when_it_asks_most_of_what_we_ask() -> None:
    faq = hit(7, "FAQ > Do I need a receipt?", "No. A photo of the batch number is enough.", kind="faq")
    cands = candidates([*HITS, faq], "en")
    (q,) = find_questions("Do I need a receipt?", known_items(cands))
    assert answer_question(q, Picker(cands, "en"), set(), language="en").verdict == "no"
    (q,) = find_questions("Do you refund the voucher if I lost the receipt?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict != "no", ans.sentences


def test_what_a_document_says_of_itself_for_staff_is_no_sentence_of_a_reply() -> None:
    policy = hit(9, "Scope", "This policy applies to every recalled product in France and Belgium. It has been in "
                             "force since 1 September 2025 and is approved by the Legal department. Community "
                             "managers and hotline staff may quote it word for word.", kind="policy")
    politique = hit(10, "Champ", "Cette politique s'applique à tout produit rappelé. Validée par le service juridique. "
                                 "Les community managers peuvent la citer telle quelle.", kind="policy", language="fr")
    texts = [c.text for c in candidates([policy, politique], "en")]
    assert texts == ["This policy applies to every recalled product in France and Belgium.",
                     "Cette politique s'applique à tout produit rappelé."]


def test_a_reference_named_in_passing_gets_a_yes_or_no_that_names_it() -> None:
    lots = hit(9, "Recalled batches", "Only batches L4821 and L4822 are affected.\nRefunds are paid within 14 days.")
    cands = candidates([*HITS, lots], "en")
    qs = find_questions("I bought 3 boxes of L4822, do I get 3 refunds?", known_items(cands))
    assert [q.in_passing for q in qs] == [True]
    ans = answer_question(qs[0], Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "yes" and ans.sentences[0][0] == "Yes, L4822 is on the list."
    assert not any(s.startswith("Yes:") for s, _ in ans.sentences)
    # asked about it ("is it...", a scope word) or a name: answered as before
    for text in ("I've got L4822, is it recalled?", "Mine says L4822, is it concerned?"):
        assert not any(q.in_passing for q in find_questions(text, known_items(cands))), text


def test_an_faq_answer_opening_with_its_own_yes_states_the_fact_alone_to_a_how_question() -> None:
    faq = hit(7, "FAQ > Is there any compensation?", "Yes: each refund comes with a €5 goodwill voucher.", kind="faq")
    cands = candidates([*HITS, faq], "en")
    (q,) = find_questions("What compensation is there?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert any(s == "Each refund comes with a €5 goodwill voucher." for s, _ in ans.sentences), ans.sentences


def test_you_do_not_need_to_is_no_no_to_may_i() -> None:
    shop = hit(9, "Returns", "You do not need to return the box to the shop.\nRefunds are paid within 14 days.")
    cands = candidates([*HITS, shop], "en")
    (q,) = find_questions("Can I return it to the shop instead?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict is None and ans.sentences[0][0] == "You do not need to return the box to the shop."
    (q,) = find_questions("Do I have to return it to the shop?", known_items(cands))
    assert answer_question(q, Picker(cands, "en"), set(), language="en").verdict == "no"


def test_no_one_to_anyone_is_a_no_in_words_of_the_same_concept() -> None:
    sheet = hit(9, "Situation", "The 14 night-shift staff were evacuated and no one was injured.\n"
                                "The site stays closed until 8 December 2026.")
    cands = candidates([*HITS, sheet], "en")
    (q,) = find_questions("was anyone hurt in the fire?", known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    assert ans.verdict == "no" and ans.sentences[0][0].startswith("No: the 14 night-shift staff")


def _answer_with(hits: list[SearchHit], text: str) -> tuple[str | None, list[str]]:
    cands = candidates(hits, "en")
    (q, *_) = find_questions(text, known_items(cands))
    ans = answer_question(q, Picker(cands, "en"), set(), language="en")
    return ans.verdict, [s for s, _ in ans.sentences]


LOYALTY = [
    hit(0, "Earning points", "Every euro spent in a store or on Sorel Drive earns 1 point."),
    hit(1, "What we do not know yet", "We do not know yet whether Sorel Drive orders placed between 28 November "
                                      "and 2 December earned their points.\nThe next update will be published on "
                                      "6 December 2026."),
    hit(2, "Snapshots", "We switched off event snapshots on 30 November at 09:40 UTC.\n"
                        "The date event snapshots come back is not known yet."),
]


def test_no_yes_where_the_knowledge_says_it_is_not_known_yet() -> None:
    # "Yes: every euro spent on Sorel Drive earns 1 point" would contradict the sentence that says whether these
    # orders earned points is not known yet: the fact without the yes, then what is not known.
    verdict, sentences = _answer_with(LOYALTY, "Did my Sorel Drive order from Monday earn points?")
    assert verdict is None
    assert not sentences[0].startswith("Yes") and any(s.startswith("We do not know yet") for s in sentences)


def test_a_no_stands_when_a_not_known_sentence_is_about_something_else() -> None:
    verdict, _ = answer("Will you pay my lost wages?")
    assert verdict == "no"


def test_a_sentence_saying_something_is_not_known_yet_is_flagged_unknown() -> None:
    cands = {c.text: c.unknown for c in candidates(LOYALTY, "en")}
    assert cands["The date event snapshots come back is not known yet."]
    assert not cands["We switched off event snapshots on 30 November at 09:40 UTC."]
    fr = candidates([hit(9, "Cause", "L'origine de la panne n'est pas encore identifiée.", language="fr")], "fr")
    assert fr[0].unknown


@pytest.mark.parametrize("question, ahead", [
    ("When are the event snapshots coming back?", True),
    ("vous reprenez quand les changements de SIM ?", True),
    ("When will it reopen?", True),
    ("When did the attack happen?", False),
    ("Quand l'attaque a-t-elle eu lieu ?", False),
])
def test_when_asks_ahead_unless_asked_in_the_past(question: str, ahead: bool) -> None:
    (q, *_) = find_questions(question, frozenset())
    assert asks_ahead(q) is ahead


def test_when_something_comes_back_is_not_answered_by_the_day_it_stopped() -> None:
    _, sentences = _answer_with(LOYALTY, "When are the event snapshots coming back?")
    assert sentences[0] == "The date event snapshots come back is not known yet."
    _, past = _answer_with(LOYALTY, "When were the event snapshots switched off?")
    assert "30 November" in past[0]


def test_without_is_no_negation_of_a_yes() -> None:
    # "Le magasin va la reprendre ouverte ?" got "Non : ... échangées ... même ouvertes, même sans ticket".
    hits = [hit(0, "Échange", "Les boîtes peuvent être reprises dans tout magasin, même ouvertes, même sans ticket "
                              "de caisse.", language="fr")]
    cands = candidates(hits, "fr")
    (q, *_) = find_questions("Le magasin va reprendre ma boîte ouverte ?", known_items(cands))
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    assert ans.verdict != "no" and not ans.sentences[0][0].startswith("Non")


def test_how_many_things_is_a_number_of_those_things() -> None:
    hits = [hit(0, "Situation", "The table printed on the label of some 800 g tins is wrong: it shows 60 ml instead "
                                "of 30 ml.\n41,600 tins of Petilou, lots L3101 to L3124, are concerned.")]
    _, sentences = _answer_with(hits, "How many tins carry the wrong table?")
    assert "41,600 tins" in sentences[0]
    assert counted_noun("combien de boites en tout ?") is not None and counted_noun("how many are affected?") is None


def test_a_sentence_may_open_on_a_number() -> None:
    cands = candidates([hit(0, "Scope", "41,600 tins of Petilou Croissance 2 are concerned.\n2026 - 2027.")], "en")
    assert [c.text for c in cands] == ["41,600 tins of Petilou Croissance 2 are concerned."]


def test_no_yes_when_another_sentence_says_no_to_what_the_first_leaves_out() -> None:
    # "Chaque utilisateur reçoit un crédit de 10 €" is no "Oui" to "le crédit, je peux le récup en thune ?" when
    # "Il ne peut pas être échangé contre de l'argent." says no to the money part ("thune" is money).
    hits = [hit(0, "Crédit", "Chaque utilisateur concerné reçoit un crédit de trajets de 10 € dans l'application "
                             "d'ici le 11 décembre 2026.\nIl ne peut pas être échangé contre de l'argent.",
                language="fr"),
            hit(1, "Remboursement", "Le remboursement des trajets est automatique.", language="fr")]
    cands = candidates(hits, "fr")
    (q,) = find_questions("le credit de 10 balles je peux le recup en thune ?", known_items(cands))
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    assert ans.verdict != "yes" and any("ne peut pas" in s for s, _ in ans.sentences)


def test_or_not_is_no_negation_of_the_question() -> None:
    # "Mes coordonnées bancaires sont concernées ou pas ?" asks yes or no: its "pas" does not stop the "Non".
    hits = [hit(0, "Données", "Les coordonnées bancaires des clients ne sont pas concernées par la panne.\n"
                              "Le site est fermé jusqu'au 5 décembre.", language="fr"),
            hit(1, "Situation", "Des repas servis le 2 décembre dans 14 écoles ont rendu malades des enfants.",
                language="fr")]
    cands = candidates(hits, "fr")
    (q, *_) = find_questions("Mes coordonnées bancaires sont concernées ou pas ?", known_items(cands))
    ans = answer_question(q, Picker(cands, "fr"), set(), language="fr")
    assert ans.verdict == "no", ans.sentences


@pytest.mark.parametrize(("question", "verdict"), [
    ("were you hacked?", "no"),  # "It was not an attack": a word of the same event, negated
    ("Are you paying me back for the lost days?", None),  # "will not resume" is no denial of "paying back"
])
def test_a_denial_in_other_words_of_the_same_event(question: str, verdict: str | None) -> None:
    hits = [hit(0, "Cause", "It was not an attack and no payment card data was exposed.\n"
                            "Hot meals will not resume before Monday 7 December 2026."),
            hit(1, "Contact", "Call 0 800 555 214, every day from 7:00 to 23:00.")]
    got, sentences = _answer_with(hits, question)
    assert got == verdict, sentences
    assert negates_word("it was not an attack", frozenset({"attac"}))
    assert not negates_word("no data was taken in the attack", frozenset({"attac"}))
