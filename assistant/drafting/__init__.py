"""Stage 3, drafting: retrieve the knowledge for one comment, compose a cited reply (offline
composer or an OpenAI-compatible model), guard it; public updates per channel from the fact sheet.

`chain.py` is the path: triage -> mask -> retrieve -> provider -> citations -> guards -> Draft.
Imports: core, text, knowledge, triage, guards.
"""
