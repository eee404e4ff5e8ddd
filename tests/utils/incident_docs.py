"""Two fact-sheet versions of the fixture incident, as `KnowledgeBase.documents()` lists them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.utils.incident import INCIDENT, T0

FACT_SHEETS: list[dict[str, Any]] = [
    {"id": "fs-v1", "kind": "fact_sheet", "incident": INCIDENT, "language": "en", "approved": True,
     "label": "v1 as of 10:00", "valid_from": T0, "valid_until": T0 + timedelta(minutes=55)},
    {"id": "fs-v2", "kind": "fact_sheet", "incident": INCIDENT, "language": "en", "approved": True,
     "label": "v2 as of 10:55", "valid_from": T0 + timedelta(minutes=55), "valid_until": None},
    {"id": "faq", "kind": "faq", "incident": None, "language": "en", "approved": True, "label": "x"},
]
