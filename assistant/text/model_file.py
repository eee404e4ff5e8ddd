"""The small learned models' files: numpy arrays plus a JSON header, in one compressed `.npz`.

The triage heads, the injection head and the answer ranker are each saved this way: the header says
the file's format, which sentence encoder its vectors came from and what it was trained on; a file of
another format or encoder is refused with a message that says how to rebuild it.
Imports: the encoder's name only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from assistant.text.encoder import ENCODER_NAME


def write_model(path: str | Path, meta: dict[str, Any], **arrays: np.ndarray) -> Path:
    """Save `arrays` and `meta` (with the encoder's name added) to `path`, creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = {**meta, "encoder": ENCODER_NAME}
    with path.open("wb") as fh:  # np.savez_compressed would add ".npz" to a name without it
        np.savez_compressed(fh, **{**arrays, "meta": np.array(json.dumps(header))})  # type: ignore[arg-type]
    return path


def read_model(path: str | Path, *, what: str, expect: dict[str, Any], rebuild: str) -> tuple[dict[str, Any],
                                                                                               dict[str, np.ndarray]]:
    """(header, arrays) of a model file whose header has the `expect`ed values (lists and tuples alike)
    and this process's encoder; else ValueError saying what the file is and how to `rebuild` it."""
    with np.load(Path(path), allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        arrays = {k: data[k] for k in data.files if k != "meta"}
    for key, want in expect.items():
        got = meta.get(key)
        if (tuple(got) if isinstance(got, list) else got) != (tuple(want) if isinstance(want, list) else want):
            raise ValueError(f"{path}: {what} of another format; {rebuild}")
    if meta.get("encoder") != ENCODER_NAME:
        raise ValueError(f"{path}: trained on {meta.get('encoder')} vectors, not {ENCODER_NAME}")
    return meta, arrays
