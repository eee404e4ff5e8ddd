"""Settings in one place: environment (prefix CRISIS_), an optional TOML file, then defaults.

The TOML file is `$CRISIS_CONFIG` or `<data_dir>/config.toml`; environment variables win over it.
"""

from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
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
    llm_timeout_s: float = 20.0
    llm_max_retries: int = 3
    llm_total_budget_s: float = 45.0

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

    def describe(self) -> dict[str, Any]:
        """What is configured, secrets masked (for `doctor` and logs)."""
        out = self.model_dump(mode="json", exclude={"openai_api_key"})
        out["openai_api_key"] = "set" if self.openai_api_key else "not set"
        if self.database_url:
            out["database_url"] = _mask_url(self.database_url)
        return out


def _mask_url(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
