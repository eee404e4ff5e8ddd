"""Comments that name a case's words without being one, and cases said without its words (round 26).

Each rule found from the misses of leave-one-crisis-out on the training crises and of the sixth fresh set
(read once it was scored): who owns a journalist's questions, a profession set aside, a relative's view passed
on, legal words aimed at oneself, "I ate it and I'm fine", a claim filed in other words. The model is a fixed
reading (`_fixed`) where it matters, so each test says what the combination does with it; the rules run for
real. Each rule has its limit tested too: a real case still reaches its team.
"""

from __future__ import annotations

from assistant.models import Comment
from assistant.triage.classify import triage
from tests.unit.triage.test_learned import _fixed

# ---------------------------------------------------------------- press: a journalist's questions


def test_the_press_team_owns_a_journalists_questions() -> None:
    reporter = Comment(text="Reporter, Yorkshire Post. Parents tell me pupils were left at roadside stops this "
                            "morning. How many routes aren't running and who is checking on the children?")
    radio = Comment(text="Bonjour, je suis journaliste à France Bleu. Quelqu'un pourrait-il intervenir demain dans "
                         "la matinale au sujet de la grève ?")
    for comment in (reporter, radio):
        result = triage(comment, model=_fixed("press", 0.6, safety=0.5, legal=0.6, support=0.6))
        assert result.escalate_to == ["press"], comment.text
        assert any("press team owns a journalist's questions" in r for r in result.reasons)
    # media words alone are no journalist: "on vit dans un épisode de Black Mirror" does not hide a child outside
    scene = Comment(text="On vit dans un épisode de Black Mirror, ma fille de 8 ans est bloquée dehors dans le froid.")
    assert "safety" in triage(scene, model=_fixed("complaint", 0.6, safety=0.5, press=0.1)).escalate_to
    # a parent's own question read the same way still reaches safety: no journalist asks it
    parent = Comment(text="Pupils were left at roadside stops this morning, who is checking on my son?")
    assert "safety" in triage(parent, model=_fixed("question", 0.6, safety=0.5)).escalate_to


def test_a_verified_journalist_under_the_influencer_reach_is_press_only() -> None:
    wired = Comment(text="Tech reporter at Wired UK. Can you confirm how many accounts were affected? Filing at 5.",
                    verified=True, followers=23_000)
    result = triage(wired, model=None)
    assert result.escalate_to == ["press"] and result.influencer
    assert any(r.startswith("note: influencer") and "press team's" in r for r in result.reasons)
    # an outlet's large audience reaches the comms lead too; a verified account that is no journalist as well
    big = wired.model_copy(update={"followers": 120_000})
    assert set(triage(big, model=None).escalate_to) == {"press", "comms_lead"}
    mum = Comment(text="Which batches exactly? Sharing with our community so parents can check.", verified=True,
                  followers=22_000)
    assert "comms_lead" in triage(mum, model=None).escalate_to


# ---------------------------------------------------------------- a profession set aside, a view passed on


def test_a_profession_set_aside_is_no_press_or_legal_case() -> None:
    for text in ("Bonjour, je suis journaliste de métier mais je vous écris en simple abonnée : le profil enfant "
                 "garde-t-il son code PIN ?",
                 "Je suis avocat de métier mais je pose la question en simple papa : faut-il changer le mot de passe ?",
                 "I'm a lawyer but asking as a parent here: should we change the password now?"):
        result = triage(Comment(text=text), model=_fixed("question", 0.6, press=0.6, legal=0.6))
        assert not {"press", "legal"} & set(result.escalate_to), text
        assert any("sets their profession aside" in r for r in result.reasons), text
    # the same professions asking as such are cases
    assert "press" in triage(Comment(text="Bonjour, je suis journaliste : le profil enfant garde-t-il son code "
                                          "PIN ?"), model=None).escalate_to
    assert "legal" in triage(Comment(text="Je suis avocat et je représente trois familles."), model=None).escalate_to
    # a threat made in a private capacity is still a threat
    assert "legal" in triage(Comment(text="Je suis avocat de métier mais je vous écris en simple papa : je vais "
                                          "porter plainte contre vous."), model=None).escalate_to


def test_a_relatives_view_passed_on_is_not_a_case() -> None:
    for text in ("My husband's a firefighter and he says if there'd been a fire half the street couldn't have got "
                 "out.",
                 "My dad drove these buses for 30 years and he says they always treated the drivers like dirt.",
                 "Mon beau-frère bosse chez un sous-traitant, il dit que c'est un câble coupé volontairement."):
        result = triage(Comment(text=text), model=_fixed("complaint", 0.6, safety=0.9, legal=0.6))
        assert not {"safety", "legal"} & set(result.escalate_to), text
        assert any("view of someone of the author's own" in r for r in result.reasons), text
    sister = triage(Comment(text="My sister works in legal at a rival platform and even she says this would never "
                                 "have passed."), model=None)
    assert "legal" not in sister.escalate_to
    # a relative who is hurt is a case, whoever tells it: the rules' own safety cues stand
    hurt = Comment(text="My husband's a firefighter and he says our son's burn needs a hospital.")
    assert "safety" in triage(hurt, model=_fixed("complaint", 0.6, safety=0.9)).escalate_to
    mum = Comment(text="My mum has been sat in the cold since 6 and she says she can't feel her feet.")
    assert "safety" in triage(mum, model=_fixed("complaint", 0.6, safety=0.5)).escalate_to
    lawyer = Comment(text="My sister is a lawyer and she says we should sue you for this.")
    assert "legal" in triage(lawyer, model=None).escalate_to


# ---------------------------------------------------------------- legal: at oneself, or in other words


def test_legal_words_aimed_at_oneself_are_a_joke() -> None:
    for text in ("going to sue my own patience for lasting this long. 9 hours on hold",
                 "la prochaine fois je porte plainte contre moi-même pour avoir fait confiance à une appli",
                 "je vais porter plainte contre mon propre banquier pour harcèlement de SMS 😂"):
        result = triage(Comment(text=text), model=_fixed("complaint", 0.6, legal=0.6))
        assert "legal" not in result.escalate_to, text
        assert any("aimed at the author themselves" in r for r in result.reasons), text
    assert "legal" in triage(Comment(text="je vais porter plainte contre vous"), model=None).escalate_to


def test_a_claim_filed_in_other_words_is_legal_and_stands() -> None:
    for text in ("£64 on the serum, £180 on a dermatologist. money claim online submitted this morning, you'll get "
                 "the papers",
                 "Y a-t-il une action collective en cours ? Je veux m'y joindre."):
        rules = triage(Comment(text=text), model=None)
        assert "legal" in rules.escalate_to, text
        # a model that rules it out (< 0.05) does not lower it: a claim filed is a case in any crisis
        assert "legal" in triage(Comment(text=text), model=_fixed("question", 0.9, legal=0.01)).escalate_to, text
    # papers of another kind are no claim
    assert "legal" not in triage(Comment(text="I sent you the papers for my refund last week"),
                                 model=None).escalate_to


# ---------------------------------------------------------------- safety: fine after eating, said in other words


def test_eating_it_and_saying_one_is_fine_is_no_safety_case() -> None:
    for text in ("I ate half a box yesterday, zero symptoms, relax everyone 😂",
                 "Honestly I've eaten worse, it's fine, people overreact",
                 "J'ai mangé deux bols hier, aucun symptôme, les gens exagèrent"):
        result = triage(Comment(text=text), model=None)
        assert "safety" not in result.escalate_to, text
        assert any("not a safety case" in r for r in result.reasons), text
    # a worry, a symptom or someone of the author's own keeps it a case
    for text in ("I ate half a box yesterday, no symptoms so far, is it dangerous?",
                 "I ate it yesterday, I'm fine but my stomach hurts a bit",
                 "We ate it yesterday, I'm fine but my son has been sick all night",
                 "J'ai mangé un bol ce matin, c'est bien le lot L4821 du rappel"):
        assert "safety" in triage(Comment(text=text), model=None).escalate_to, text


def test_safety_said_in_other_words_reaches_safety() -> None:
    for text in ("Ich habe das Müsli gestern gegessen, ist das gefährlich?",
                 "people are being pushed into the road, someone needs to get security and police here now",
                 "honestly think they'd all be better sorted with the life insurance than with me",
                 "je pense qu'ils seraient mieux sans moi"):
        # the model ruling it out (< 0.05) does not lower these: someone ate it, is hurt now, or may end their life
        assert "safety" in triage(Comment(text=text), model=_fixed("complaint", 0.9, safety=0.01)).escalate_to, text


def test_an_influencer_relaying_their_audience_is_the_comms_leads() -> None:
    reel = Comment(text="My reel on the magnets has 1.8M views and thousands of parents in my DMs asking what to do. "
                        "You can't stay quiet.", followers=640_000, verified=True)
    result = triage(reel, model=_fixed("complaint", 0.6, safety=0.5))
    assert result.escalate_to == ["comms_lead"]
    assert any("influencer passes on" in r for r in result.reasons)
    live = Comment(text="Mon live depuis l'arrêt, avec quarante collégiens qui attendent un car qui ne viendra pas, a "
                        "fait 900 000 vues.", followers=410_000, verified=True)
    assert triage(live, model=_fixed("complaint", 0.6, safety=0.5)).escalate_to == ["comms_lead"]
    # a scene in front of them, not their audience, stays a safety case
    scene = reel.model_copy(update={"text": "At the station right now, a woman collapsed on the platform and "
                                            "nobody from staff is coming."})
    assert "safety" in triage(scene, model=_fixed("complaint", 0.6, safety=0.5)).escalate_to
    # their own child is a case
    own = reel.model_copy(update={"text": "My reel has 1.8M views, and my son swallowed one of the magnets."})
    assert "safety" in triage(own, model=_fixed("complaint", 0.6, safety=0.5)).escalate_to


# ---------------------------------------------------------------- support: a reference and a number to call


def test_a_reference_asking_for_a_dm_is_a_case_not_spam() -> None:
    payslip = Comment(text="Payslip ref PS-3310-0528 shows £0.00 net pay for May. I worked every shift. Someone "
                           "please DM me.")
    assert "support" in triage(payslip, model=None).escalate_to
    assert "support" in triage(payslip, model=_fixed("spam_troll", 0.35)).escalate_to
    assert triage(Comment(text="Make 500 a day from home, DM me"), model=None).intent == "spam_troll"
    school = Comment(text="Le code d'activation ne fonctionne pas, 300 parents sont bloqués. Pouvez-vous rappeler "
                          "le secrétariat au 03 20 44 18 72 ?")
    assert "support" in triage(school, model=None).escalate_to


def test_a_grandmother_named_the_way_people_say_it_is_someone_of_the_authors_own() -> None:
    """A question naming one's nan or mamie is a case, not a general question with one public answer."""
    for text in ("My nan has been sat in the cold hall since 6, nobody answers, who do I complain to?",
                 "Ma mamie attend dans le hall glacé depuis 6h, personne ne répond, à qui je m'adresse ?"):
        result = triage(Comment(text=text), model=_fixed("question", 0.41, safety=0.48))
        assert "safety" in result.escalate_to, text
    general = triage(Comment(text="Is the hall heated while we wait, who do I complain to?"),
                     model=_fixed("question", 0.41, safety=0.48))
    assert "safety" not in general.escalate_to
