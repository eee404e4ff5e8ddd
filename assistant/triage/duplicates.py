"""Near-duplicate comments: copy-paste campaigns and the same text posted again and again.

MinHash over 5-character shingles proposes candidate pairs, the exact Jaccard confirms them. Used by
the monitor (campaign alerts) and by batch drafting (one core answer per group). Imports: core, text and
the triage lexicon.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.models import Comment, Triage
from assistant.text import fold
from assistant.triage.lexicon import SUPPORT_REFERENCE

_REPEAT = re.compile(r"([a-z])\1{2,}")
_SHINGLE = 5
_PERMS = 64
_BANDS = 16
_rng = np.random.default_rng(20261127)
_A = _rng.integers(1, 2**63 - 1, size=_PERMS, dtype=np.uint64) | np.uint64(1)
_B = _rng.integers(0, 2**63 - 1, size=_PERMS, dtype=np.uint64)
_DUP_NOISE = re.compile(r"@\w+|[^\w\s]|\s+")


def _dup_key(text: str) -> str:
    # Lighter than `normalize` (no slang pass): copies of one text need no interpretation, only folding.
    return " ".join(_DUP_NOISE.sub(" ", _REPEAT.sub(r"\1\1", fold(text))).split())


def _shingles(key: str) -> np.ndarray:
    data = np.frombuffer(key.encode("utf-8"), dtype=np.uint8).astype(np.uint64)
    if len(data) <= _SHINGLE:
        return np.array([zlib.crc32(key.encode("utf-8"))], dtype=np.uint64)
    n = len(data) - _SHINGLE + 1
    h = np.zeros(n, dtype=np.uint64)
    for k in range(_SHINGLE):
        h = h * np.uint64(1_000_003) + data[k : k + n]
    return np.unique(h)


def near_duplicate_groups(texts: Sequence[str], threshold: float = 0.8) -> list[list[int]]:
    """Indices of texts that are copies of each other (Jaccard of 5-char shingles >= threshold).

    MinHash (64 hashes, 16 bands of 4) proposes candidates; each is confirmed with the exact Jaccard,
    so no pair below the threshold is ever grouped. Groups are sorted, singletons are left out.
    """
    keys = [_dup_key(t) for t in texts]
    # Exact copies first: a campaign of 5,000 identical comments is one representative, not 5,000.
    first_of: dict[str, int] = {}
    parent = list(range(len(texts)))
    for i, key in enumerate(keys):
        parent[i] = first_of.setdefault(key, i)
    reps = list(first_of.values())
    shingles: dict[int, np.ndarray] = {i: _shingles(keys[i]) for i in reps}
    rows = _PERMS // _BANDS
    buckets: dict[tuple[int, bytes], list[int]] = {}
    sigs: dict[int, np.ndarray] = {}
    for i in reps:
        sig = ((_A[:, None] * shingles[i][None, :] + _B[:, None]) >> np.uint64(32)).min(axis=1)
        sigs[i] = sig
        raw = sig.tobytes()
        for b in range(_BANDS):
            buckets.setdefault((b, raw[b * rows * 8 : (b + 1) * rows * 8]), []).append(i)
    sets: dict[int, set[int]] = {}

    def jaccard(i: int, j: int) -> float:
        # The signatures' agreement estimates the Jaccard: far below the threshold, skip the exact count.
        if np.count_nonzero(sigs[i] == sigs[j]) < (threshold - 0.25) * _PERMS:
            return 0.0
        a = sets.setdefault(i, set(shingles[i].tolist()))
        b = sets.setdefault(j, set(shingles[j].tolist()))
        inter = len(a & b)
        return inter / (len(a) + len(b) - inter)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    checked: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        leaders: list[int] = []
        for i in members:
            for j in leaders[:8]:  # compare with a few leaders: a bucket of thousands stays linear
                if find(i) == find(j):
                    break
                pair = (j, i)
                if pair in checked:
                    continue
                checked.add(pair)
                if jaccard(i, j) >= threshold:
                    parent[find(i)] = find(j)
                    break
            else:
                leaders.append(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(texts)):
        groups.setdefault(find(i), []).append(i)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])



# ---------------------------------------------------------------- campaigns

# A campaign is the same text posted by several people: four authors copying one message is no
# coincidence, two or three may be. Short texts ("same here", "Which batches are affected?") are
# asked the same way by many people without anyone copying: ten words is a message, not a question.
CAMPAIGN_MIN_AUTHORS = 4
CAMPAIGN_MIN_WORDS = 10
# How alike two copies must be (Jaccard of 5-char shingles). 0.8 missed copies with a word changed in a
# short text ("sous 30 jours" -> "sous trente jours", "Patiente de" -> "Patient chez"): 50/53 campaign members
# of the labelled crises grouped; 0.75 groups 53/53, and still no comment outside a campaign, nor any pair of
# the paraphrase sets (tests/data/question_groups_*: the same question asked by different people).
CAMPAIGN_SIMILARITY = 0.75


def long_enough_for_campaign(text: str, min_words: int = CAMPAIGN_MIN_WORDS) -> bool:
    return len(_dup_key(text).split()) >= min_words


@dataclass(frozen=True)
class Campaign:
    id: str  # stable for one text: "campaign-" + a hash of the first copy's folded words
    members: list[int]  # indices into the texts given
    authors: int  # distinct authors (a comment without an author counts as its own)
    text: str  # the first copy, as posted

    @property
    def size(self) -> int:
        return len(self.members)


def campaigns(texts: Sequence[str], authors: Sequence[str | None] | None = None, *,
              threshold: float = CAMPAIGN_SIMILARITY,
              min_authors: int = CAMPAIGN_MIN_AUTHORS, min_words: int = CAMPAIGN_MIN_WORDS) -> list[Campaign]:
    """Copy-paste campaigns among `texts`: near-duplicate groups of at least `min_authors` distinct authors."""
    if authors is not None and len(authors) != len(texts):
        raise ValueError("authors must be as many as texts")
    found = []
    for group in near_duplicate_groups(texts, threshold):
        members = [i for i in group if long_enough_for_campaign(texts[i], min_words)]
        people = {(authors[i] if authors is not None and authors[i] else f"#{i}") for i in members}
        if len(people) >= min_authors:
            key = _dup_key(texts[members[0]])
            found.append(Campaign(id=f"campaign-{zlib.crc32(key.encode('utf-8')):08x}", members=members,
                                  authors=len(people), text=texts[members[0]]))
    return found


def mark_campaigns(comments: Sequence[Comment], results: Sequence[Triage]) -> list[Triage]:
    """`results` with every campaign member escalated to the comms lead and told which campaign it is in.

    Per-comment triage cannot see a campaign; the stream (a batch, a monitor window, an eval set) can.
    """
    if len(comments) != len(results):
        raise ValueError("one triage result per comment")
    out = list(results)
    found = campaigns([c.text for c in comments], [c.author_handle or c.author for c in comments])
    for camp in found:
        for i in camp.members:
            why = (f"escalate_to=comms_lead: copy-paste campaign {camp.id} ({camp.size} comments, "
                   f"{camp.authors} authors)")
            out[i] = _as_member(comments[i].text, out[i], camp.id, camp.size, why)
    return out


_REFERENCE = re.compile(SUPPORT_REFERENCE)


def _as_member(text: str, result: Triage, camp_id: str, size: int, why: str) -> Triage:
    """`result` as a campaign member: the comms lead answers the campaign once. The support team is not sent
    every copy of a template ("... la suppression de mon compte ..." posted by forty people is one demand,
    not forty account cases), unless this copy carries its own reference number."""
    teams = [*result.escalate_to, "comms_lead"]
    reasons = [*result.reasons, why]
    if "support" in teams and not _REFERENCE.search(fold(text)):
        teams.remove("support")
        reasons.append("note: the account words are the campaign's template, not this author's own case; "
                       "not sent to support (the comms lead answers the campaign)")
    return result.model_copy(update={"escalate_to": list(dict.fromkeys(teams)), "campaign_id": camp_id,
                                     "campaign_size": size, "reasons": reasons})


def join_campaign(text: str, result: Triage, known: Sequence[tuple[str, int, Sequence[str]]]) -> Triage:
    """`result` marked as a member of the first known campaign (id, size, example texts) that `text`
    near-duplicates, as `mark_campaigns` marks a stream: one comment posted alone (POST /v1/triage) is
    told it belongs to the campaign the monitor found around it."""
    if not long_enough_for_campaign(text):
        return result
    for camp_id, size, examples in known:
        groups = near_duplicate_groups([text, *examples], CAMPAIGN_SIMILARITY)
        if any(0 in group for group in groups if len(group) > 1):
            why = f"escalate_to=comms_lead: copy-paste campaign {camp_id} ({size} comments so far)"
            return _as_member(text, result, camp_id, size, why)
    return result
