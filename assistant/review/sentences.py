"""The reviewer's view of a draft: its sentences as the guards split them, the citations that support
each one, and each flag placed on the sentences its span covers.

A citation's `sentence` and a flag's `span` index the draft text as `split_sentences` cuts it; a
browser cannot re-split the text the same way without a second copy of the rules, so the console
asks for this view. Flags from the comment's injection scan (source `injection:*`) have spans in the
comment, not in the reply: they are listed apart.

Imports: core, text.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.models import Draft, Flag
from assistant.text import split_sentences

COMMENT_SOURCE = "injection:"  # detect_injection() scans the comment; its spans index the comment


class SentenceView(BaseModel):
    index: int = Field(description="the `sentence` a citation names")
    start: int = Field(description="character offset in the draft text")
    end: int
    text: str
    citations: list[int] = Field(description="indexes into draft.citations supporting this sentence")
    flags: list[int] = Field(description="indexes into draft.flags whose span overlaps this sentence")


class DraftSentences(BaseModel):
    draft: Draft = Field(description="the draft as GET /v1/drafts/{id} returns it (stale flags included)")
    sentences: list[SentenceView]
    unplaced_citations: list[int] = Field(description="citations naming no sentence of the current text")
    comment_flags: list[int] = Field(description="flags whose span is in the comment (injection scan)")
    general_flags: list[int] = Field(description="flags about the whole draft (no span, or a span outside the text)")


def in_comment(flag: Flag) -> bool:
    return (flag.source or "").startswith(COMMENT_SOURCE)


def sentence_view(draft: Draft) -> DraftSentences:
    text = draft.text
    spans = split_sentences(text)
    cites: list[list[int]] = [[] for _ in spans]
    unplaced: list[int] = []
    for i, c in enumerate(draft.citations):
        if c.sentence is not None and 0 <= c.sentence < len(spans):
            cites[c.sentence].append(i)
        else:
            unplaced.append(i)
    placed: list[list[int]] = [[] for _ in spans]
    comment: list[int] = []
    general: list[int] = []
    for i, f in enumerate(draft.flags):
        if in_comment(f):
            comment.append(i)
            continue
        # A span past the end belongs to an older text (edited since): it marks nothing here.
        hit = [n for n, (a, b) in enumerate(spans) if f.span and f.span[1] <= len(text)
               and f.span[0] < b and a < f.span[1]]
        for n in hit:
            placed[n].append(i)
        if not hit:
            general.append(i)
    return DraftSentences(
        draft=draft,
        sentences=[SentenceView(index=n, start=a, end=b, text=text[a:b], citations=cites[n], flags=placed[n])
                   for n, (a, b) in enumerate(spans)],
        unplaced_citations=unplaced, comment_flags=comment, general_flags=general)
