"""The guards: checks run on every text a person may approve (generated or edited) and on every
comment before it reaches a model: personal data, prompt injection, unsupported claims, promises
beyond policy, outdated facts, tone and length. `check.py` is the entry point; one module per check.

Imports: core and text only (drafting and review call the guards; the guards call neither).
"""

from assistant.guards.check import check_draft, check_text, has_blocking
from assistant.guards.claims import check_claims, stale_flags, supporting_chunks
from assistant.guards.degenerate import check_generated, clean_unknowns, degenerate_codes
from assistant.guards.evidence import GuardContext
from assistant.guards.injection import detect_injection, neutralise
from assistant.guards.pii import MaskResult, PiiEntity, mask_pii, personal_data_note, redact_for_log

__all__ = [
    "GuardContext",
    "MaskResult",
    "PiiEntity",
    "check_claims",
    "check_draft",
    "check_generated",
    "check_text",
    "clean_unknowns",
    "degenerate_codes",
    "detect_injection",
    "has_blocking",
    "mask_pii",
    "neutralise",
    "personal_data_note",
    "redact_for_log",
    "stale_flags",
    "supporting_chunks",
]
