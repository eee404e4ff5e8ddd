"""Stage 5b, batch: thousands of queued comments drafted once each, near-duplicates grouped under one
core answer, resumable after any crash, in-process (asyncio) or on arq workers sharing Redis.

importer.py (JSONL/CSV/JSON rows -> Comments, bad rows reported), store.py (batch tables: import,
grouping, claims with leases, progress, export), paraphrases.py (copies and rewordings of one question
grouped: signature + sentence vectors), groups.py (core answer, personalisation, member
guards), limiter.py (adaptive provider rate limit, local or Redis), runner.py (one unit of work and the
embedded runner), review.py (group approve/edit through the review lifecycle), jobs.py (arq worker).

Imports: core, text, triage, guards, drafting, review (never api or cli).
"""
