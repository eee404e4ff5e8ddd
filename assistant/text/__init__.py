"""The one text layer every stage uses: folding, sentences, words, stems, language.

Retrieval (BM25), claim grounding, triage and the monitor must split, fold and stem text the same
way, or a citation points at the wrong sentence and a claim is missed. Imports: nothing of ours.
"""
