"""Evaluate and learn: metrics over time (read from the rollups the review stage keeps on write),
knowledge gaps, the post-crisis report (self-contained HTML with inline SVG charts, or Markdown) and
influencer briefs.

Sits beside review in the import order: it may import core, text, knowledge, guards, drafting and
review; only api/ and cli/ import it.
"""
