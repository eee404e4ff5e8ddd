"""Stage 1, knowledge: load, chunk, embed, store and search the company's approved documents.

Imports: core (config, errors, models) and text only.
"""
