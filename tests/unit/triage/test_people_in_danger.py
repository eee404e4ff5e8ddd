"""People in danger who do not use safety words, legal threats without "lawsuit", and requests to be called
back: each reaches its team, and the owner of a case takes the callback with it."""

from __future__ import annotations

import pytest

from assistant.models import Comment
from assistant.triage.classify import triage


@pytest.mark.parametrize("text", [
    # giving up on everything, said without the words of suicide
    "honnêtement j'en peux plus, je vais tout lâcher, et pas seulement votre appli",
    "I'm going to end everything, not just my subscription. nothing matters",
    "je veux juste disparaître, cette histoire de prélèvement c'est la goutte de trop",
    # saying goodbye for good: letters written for one's children "in case I'm not around", farewell letters
    "The shop is finished and the bank wants everything back. I've written letters to my children in case I'm not "
    "around much longer.",
    "J'ai laissé des lettres pour mes parents au cas où je ne serais plus là. Merci pour rien.",
    "my farewell notes are ready, your 'refund pending' was the last straw",
    # no food for the family because of the incident
    "The double charge emptied my account, how am I going to feed the kids until Friday?",
    "plus rien pour manger chez nous depuis votre prélèvement en double",
    # someone they fled can find them
    "Your app now shows my new address to everyone on the family plan, including my ex who I had to flee from.",
    "mon ex-conjoint a vu ma nouvelle adresse dans l'historique de livraison, il est passé devant chez moi hier",
])
def test_a_person_in_danger_reaches_the_safety_team(text: str) -> None:
    assert "safety" in triage(Comment(text=text)).escalate_to


@pytest.mark.parametrize("text", [
    "Filed a small claims court case for the £240 you owe me, see you there",
    "J'ai déposé une injonction de payer auprès du tribunal pour les 300 € jamais remboursés",
])
def test_a_claim_in_court_without_the_word_lawsuit_reaches_legal(text: str) -> None:
    assert "legal" in triage(Comment(text=text)).escalate_to


@pytest.mark.parametrize("text", [
    "Is anyone organising a class action? Count me in. This is unacceptable.",
    "Une action de groupe contre eux ? J'en suis.",
])
def test_joining_a_class_action_in_a_word_is_taking_it_to_court(text: str) -> None:
    assert any(r.startswith("intent=threat_legal") and "takes it to court" in r
               for r in triage(Comment(text=text), model=None).reasons)


@pytest.mark.parametrize("text", [
    "Picnic at the park on Saturday to cheer the staff up? Count me in.",
    "A class action would take years, count me out, I just want my refund",
])
def test_count_me_in_elsewhere_is_no_court_case(text: str) -> None:
    assert not any("takes it to court" in r for r in triage(Comment(text=text), model=None).reasons)


def test_a_callback_request_is_a_private_case_and_the_press_keeps_its_own() -> None:
    tri = triage(Comment(text="Abonnement n° 48 221 907 : le profil de mon fils est bloqué, pouvez-vous me rappeler ?"))
    assert "support" in tri.escalate_to
    press = triage(Comment(text="I'm a reporter at the Evening Post covering the outage. Could your press office "
                                "call me back before 5?"))
    assert "press" in press.escalate_to and "support" not in press.escalate_to


@pytest.mark.parametrize("text", [
    "this update is killing me lol, third restart today",
    "j'en peux plus de ce bug, franchement réparez votre appli",
    "My ex used to say your app was the best, guess he was wrong",
])
def test_frustration_and_passing_mentions_are_not_safety_cases(text: str) -> None:
    assert "safety" not in triage(Comment(text=text), model=None).escalate_to


@pytest.mark.parametrize("text", [
    "Please leave the parcel with a neighbour in case I'm not around on Tuesday",
    "I left a note on the door in case I'm not here when your driver comes",
    "Laissez le colis au gardien au cas où je ne serais plus là après 18h",
    "I wrote a letter of complaint to the ombudsman, let's see if anyone cares",
    "On a dit au revoir à tout le monde à l'hôtel et on a attendu le car trois heures",
])
def test_a_delivery_note_or_a_letter_of_complaint_is_no_farewell(text: str) -> None:
    assert not any("goodbye for good" in r for r in triage(Comment(text=text), model=None).reasons)


def test_a_former_colleague_is_no_one_fled() -> None:
    text = "mon ex-collègue habite la même rue, il a eu le même souci de prélèvement"
    assert "safety" not in triage(Comment(text=text), model=None).escalate_to
