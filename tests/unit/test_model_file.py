"""The learned models' file format: arrays plus a JSON header, refused when of another kind or encoder."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from assistant.text.encoder import ENCODER_NAME
from assistant.text.model_file import read_model, write_model


def test_round_trip_checks_the_header_and_the_encoder(tmp_path: Path) -> None:
    path = write_model(tmp_path / "sub" / "m.bin", {"format": "x-1", "labels": ["a", "b"], "n": 3},
                       w=np.arange(4, dtype=np.float32))
    meta, arrays = read_model(path, what="an x model", expect={"format": "x-1", "labels": ("a", "b")},
                              rebuild="retrain it")
    assert meta["encoder"] == ENCODER_NAME and meta["n"] == 3 and arrays["w"].tolist() == [0, 1, 2, 3]
    assert path.name == "m.bin"  # no ".npz" appended
    with pytest.raises(ValueError, match="an x model of another format; retrain it"):
        read_model(path, what="an x model", expect={"format": "x-2"}, rebuild="retrain it")
    other = tmp_path / "other.npz"
    np.savez(other, meta=np.array(json.dumps({"format": "x-1", "encoder": "minilm"})))
    with pytest.raises(ValueError, match="trained on minilm vectors"):
        read_model(other, what="an x model", expect={"format": "x-1"}, rebuild="retrain it")
