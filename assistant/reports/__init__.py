"""Evaluate and learn: metrics over time (computed in SQL on the store), knowledge gaps, the post-crisis
report (self-contained HTML with inline SVG charts, or Markdown) and influencer briefs.

Sits beside review in the import order: it may import core, text, knowledge, guards, drafting and
review; only api/ and cli/ import it.
"""
