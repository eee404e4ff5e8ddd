"""The guards: checks run on every text a person may approve (generated or edited) and on every
comment before it reaches a model: personal data, prompt injection, unsupported claims, promises
beyond policy, outdated facts, tone and length. `check.py` is the entry point; one module per check.

Imports: core and text only (drafting and review call the guards; the guards call neither).
"""

from assistant.guards.check import (
    GuardContext,
    MaskResult,
    PiiEntity,
    check_claims,
    check_draft,
    check_text,
    detect_injection,
    has_blocking,
    mask_pii,
    neutralise,
    redact_for_log,
    split_sentences,
    stale_flags,
)

__all__ = [
    "GuardContext",
    "MaskResult",
    "PiiEntity",
    "check_claims",
    "check_draft",
    "check_text",
    "detect_injection",
    "has_blocking",
    "mask_pii",
    "neutralise",
    "redact_for_log",
    "split_sentences",
    "stale_flags",
]
