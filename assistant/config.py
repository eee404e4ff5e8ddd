"""Settings in one place: environment (prefix CRISIS_), an optional TOML file, then defaults.

The TOML file is `$CRISIS_CONFIG` or `<data_dir>/config.toml`; environment variables win over it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from ipaddress import ip_address
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

DEFAULT_DATA_DIR = Path.home() / ".crisis-desk"


class _TomlSource(PydanticBaseSettingsSource):
    """Reads `[crisis]`-less flat keys from the TOML file named by CRISIS_CONFIG (if any)."""

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        path = os.environ.get("CRISIS_CONFIG")
        if not path:
            data_dir = Path(os.environ.get("CRISIS_DATA_DIR", DEFAULT_DATA_DIR))
            candidate = data_dir / "config.toml"
            if not candidate.is_file():
                return {}
            path = str(candidate)
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        return {k: v for k, v in data.items() if k in self.settings_cls.model_fields}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CRISIS_", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    # Chroma: embedded on disk under data_dir by default; a server when chroma_url is set.
    chroma_url: str | None = None
    collection: str = "crisis-knowledge"

    # Embeddings: "use" (multilingual, offline, pure numpy; the default by measurement), "minilm"
    # (English-only offline ONNX) or "openai". Both offline models ship in PyPI packages.
    embedding_provider: Literal["use", "minilm", "openai"] = "use"
    embedding_model: str = "text-embedding-3-small"
    embedding_threads: int = Field(default=1, ge=1, le=64, description="threads per embedding call (BLAS, onnxruntime)")

    # Chat model: "offline" (deterministic composer, no network) or "openai" (any compatible base_url).
    llm_provider: Literal["offline", "openai"] = "offline"
    llm_model: str = "gpt-4o-mini"
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, validation_alias="OPENAI_BASE_URL")
    # Limits of one draft's model calls. Unset ones come from the provider profile (see LLM_PROFILES):
    # "local" suits an OpenAI-compatible server on this machine or LAN (CPU speeds), "cloud" a hosted
    # API; "auto" picks "local" when OPENAI_BASE_URL points at a loopback/private host.
    llm_profile: Literal["auto", "cloud", "local"] = "auto"
    llm_timeout_s: float | None = Field(default=None, gt=0)
    llm_max_retries: int | None = Field(default=None, ge=0, le=10)
    llm_total_budget_s: float | None = Field(default=None, gt=0)
    llm_max_tokens: int | None = Field(default=None, ge=16, le=16_384, description="output tokens per call")
    llm_temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    llm_seed: int | None = 7  # with temperature 0, the same comment gets the same draft (servers permitting)
    # With a chat model configured, the comments the offline triage is unsure about are read again by it
    # (assistant.drafting.llm_triage); it may add teams, never remove one.
    triage_llm: bool = True
    # ... and for drafts too (off by default: one more model call per unsure comment, ~40-50% of them).
    triage_llm_drafts: bool = False
    # The offline composer's learned answer-sentence ranker (assistant.drafting.ranker): "shipped" (the
    # packaged model), "off" (the rules alone), or the path of a model trained with `crisis-desk answers train`.
    answer_ranker: str = "shipped"

    @field_validator("answer_ranker")
    @classmethod
    def _ranker_exists(cls, value: str) -> str:
        """A path that is not a file would silently mean "no ranker": refused at start-up instead."""
        if value in ("shipped", "off"):
            return value
        path = Path(value).expanduser()
        if not path.is_file():
            raise ValueError(f"CRISIS_ANSWER_RANKER={value!r}: not 'shipped', 'off' or an existing model file "
                             "(train one with `crisis-desk answers train --out PATH`)")
        from assistant.drafting.ranker import AnswerRanker  # a file of another format is refused here too

        AnswerRanker.load(path)
        return str(path)

    database_url: str | None = None  # default: sqlite file in data_dir

    # Limits
    max_comment_chars: int = 5000
    max_document_chars: int = 200_000
    max_body_bytes: int = 1_000_000
    # Request headers: a browser sends ~1-2 kB in ~20 headers; more is an attack on the parser's memory.
    max_header_bytes: int = 32_768
    max_headers: int = 100
    search_k: int = 5
    rate_limit_per_minute: int = 600

    # Batch drafting (assistant/batch): concurrency, per-item time limit, the provider's limits
    # (0 = none known), and Redis for the job queue, the shared provider limit and the API rate limit.
    batch_concurrency: int = Field(default=8, ge=1, le=256)
    batch_item_timeout_s: float = Field(default=120.0, gt=0)
    batch_max_rows: int = Field(default=100_000, ge=1)
    # Group rewordings of the same question too, not only copies, when the knowledge would answer them alike
    # (sentence vectors, the words that differ, the composer's answer plan; batch/paraphrases.py,
    # batch/answer_keys.py). On since round 5 (the same answer plan as well as the same meaning): pair
    # precision 1.000 on the four tuning sets (19 pairs) and on the fourth held-out set, scored once (1 pair;
    # the rule written before scoring: >= 0.95); recall is low (0.02 held-out, 0.06-0.15 tuning), so most
    # rewordings are still drafted one by one (docs/DESIGN.md). Round 7 (the knowledge judges the words that
    # differ, different plans allowed): precision 1.000 at recall 0.10-0.29 on four of the five tuning sets,
    # 0 on holdout5. CRISIS_BATCH_GROUP_BY_MEANING=false turns it off.
    batch_group_by_meaning: bool = True
    # POST /v1/batches reads its body as a stream up to this size (the other routes: max_body_bytes).
    batch_max_body_bytes: int = Field(default=50_000_000, ge=1)
    provider_requests_per_minute: int = Field(default=0, ge=0)
    provider_tokens_per_minute: int = Field(default=0, ge=0)
    redis_url: str | None = None

    cors_origins: list[str] = Field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 8000

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _TomlSource(settings_cls), file_secret_settings

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def knowledge_index_path(self) -> Path:
        """The chunk index (SQLite FTS5) every process of this data dir shares."""
        return self.data_dir / "knowledge.sqlite"

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'crisis-desk.db'}"

    @property
    def llm_limits(self) -> LlmLimits:
        """The provider profile's limits, with any explicitly set CRISIS_LLM_* value winning."""
        name = self.llm_profile
        if name == "auto":
            name = "local" if is_local_url(self.openai_base_url) else "cloud"
        base = LLM_PROFILES[name]
        return replace(
            base,
            timeout_s=base.timeout_s if self.llm_timeout_s is None else self.llm_timeout_s,
            max_retries=base.max_retries if self.llm_max_retries is None else self.llm_max_retries,
            total_budget_s=base.total_budget_s if self.llm_total_budget_s is None else self.llm_total_budget_s,
            max_tokens=base.max_tokens if self.llm_max_tokens is None else self.llm_max_tokens,
        )

    def describe(self) -> dict[str, Any]:
        """What is configured, secrets masked (for `doctor` and logs)."""
        out = self.model_dump(mode="json", exclude={"openai_api_key"})
        out["openai_api_key"] = "set" if self.openai_api_key else "not set"
        out["llm_limits"] = asdict(self.llm_limits)
        if self.database_url:
            out["database_url"] = _mask_url(self.database_url)
        if self.redis_url:
            out["redis_url"] = _mask_url(self.redis_url)
        return out


@dataclass(frozen=True)
class LlmLimits:
    """What bounds one draft's model calls (resolved from a profile and the settings)."""

    profile: str
    timeout_s: float  # one HTTP call (and the wait for each streamed chunk)
    max_retries: int
    total_budget_s: float  # everything for one draft (retries, repair, the whole stream)
    max_tokens: int  # output per call: a small model otherwise writes until the context is full
    prompt_sources: int  # knowledge chunks sent to the model
    source_chars: int  # characters per chunk sent (its sentences closest to the comment)
    prompt_guidelines: int  # guideline excerpts sent (tone, apology, banned phrases)
    # Bounds written into the reply's JSON schema, so a server that turns the schema into a grammar
    # (llama.cpp) must close the JSON within max_tokens (drafting/model_prompt.reply_bounds): without
    # them a looping small model was cut inside a string, 6 of 9 drafts invalid JSON. None: the
    # schema's own bounds only (cloud models do not loop, and strict mode rejects some keywords).
    sentence_chars: int | None = None
    max_sentences: int | None = None


# Measured on 2 CPU cores (llama.cpp llama-server, 0.1-0.5B models): a ~1k-token prompt is read in 7-10 s,
# output runs at 15-90 tokens/s, and a timed-out request keeps the server busy, so retries rarely help.
LLM_PROFILES: dict[str, LlmLimits] = {
    "cloud": LlmLimits("cloud", timeout_s=20.0, max_retries=3, total_budget_s=45.0, max_tokens=700,
                       prompt_sources=6, source_chars=700, prompt_guidelines=3),
    "local": LlmLimits("local", timeout_s=90.0, max_retries=1, total_budget_s=150.0, max_tokens=512,
                       prompt_sources=4, source_chars=360, prompt_guidelines=2, sentence_chars=180,
                       max_sentences=4),
}


def is_local_url(url: str | None) -> bool:
    """A base URL on this machine or a private network (where a CPU-bound local server usually runs)."""
    if not url:
        return False
    host = (urlsplit(url).hostname or "").lower()
    if host in ("localhost", "host.docker.internal") or host.endswith((".local", ".internal", ".lan")):
        return True
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def _mask_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
