"""Stage 2, triage: what a comment is (language, sentiment, intent, severity, priority, escalation,
respond or not, with reasons) and what the stream of comments does (spikes, campaigns).

Imports: core and text only.
"""

from assistant.triage.classify import triage
from assistant.triage.duplicates import near_duplicate_groups

__all__ = ["near_duplicate_groups", "triage"]
