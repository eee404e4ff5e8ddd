"""The encoder keeps the last texts' vectors: a comment encoded for triage, retrieval and answer picking
is encoded once."""

from __future__ import annotations

import numpy as np

from assistant.text import encoder


def test_texts_repeated_within_and_across_calls_are_encoded_once(monkeypatch) -> None:
    model = encoder.sentence_encoder()
    seen: list[list[str]] = []
    real = model.encode

    def counting(texts):  # type: ignore[no-untyped-def]
        seen.append(list(texts))
        return real(texts)

    monkeypatch.setattr(model, "encode", counting)
    monkeypatch.setattr(encoder, "_cache", encoder.OrderedDict())
    a = encoder.encode(["a comment about a cancelled ferry", "another one"])
    b = encoder.encode(["another one", "a comment about a cancelled ferry", "a third text", "a third text"])
    assert seen == [["a comment about a cancelled ferry", "another one"], ["a third text"]]
    assert np.allclose(a[0], b[1]) and np.allclose(a[1], b[0]) and np.allclose(b[2], b[3]) and b.shape == (4, 512)
    b[1][:] = 0  # a caller's change never reaches the kept vector
    assert abs(float(np.linalg.norm(encoder.encode(["a comment about a cancelled ferry"])[0])) - 1.0) < 1e-3
