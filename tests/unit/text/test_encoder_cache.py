"""The encoder's cache: a text encoded in a batch is not encoded again, and answers are unchanged."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from assistant.text import encoder


def test_cached_vectors_equal_fresh_ones_and_are_not_recomputed(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["Is batch L4822 recalled?", "Le lot L4822 est-il rappelé ?", "Is batch L4822 recalled?"]
    encoder._cache.clear()
    first = encoder.encode(texts)
    assert np.allclose(first[0], first[2]) and np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-3)
    model = encoder.sentence_encoder()
    seen: list[list[str]] = []
    real = model.encode

    def counting(batch: list[str]) -> Any:
        seen.append(list(batch))
        return real(batch)

    monkeypatch.setattr(model, "encode", counting)
    again = encoder.encode([texts[1], "Where is the refund form?"])
    assert seen == [["Where is the refund form?"]]  # only the new text reaches the model
    assert np.allclose(again[0], first[1])
    again[0] = 0.0  # a caller changing its array does not change the cache
    assert np.allclose(encoder.encode([texts[1]])[0], first[1])


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder, "CACHE_SIZE", 3)
    encoder._cache.clear()
    encoder.encode([f"text number {i}" for i in range(5)])
    assert list(encoder._cache) == ["text number 2", "text number 3", "text number 4"]
    assert encoder.encode([]).shape == (0, encoder.DIMENSIONS)
