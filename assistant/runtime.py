"""The long-lived objects of a process (settings, knowledge base, chat model, database), built once.

The API keeps one Runtime on `app.state.runtime`; the CLI builds one per command. Each part is
created on first use so `crisis-desk doctor` or `/healthz` never pays for loading a model.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .config import Settings, get_settings

if TYPE_CHECKING:
    from .knowledge.store import KnowledgeBase


class Runtime:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    @cached_property
    def kb(self) -> KnowledgeBase:
        from .knowledge.store import KnowledgeBase

        with self._lock:
            return KnowledgeBase(self.settings)

    @cached_property
    def chat_model(self) -> Any:
        """A LangChain chat model for the `openai` provider; None for `offline`."""
        from .llm import make_chat_model

        return make_chat_model(self.settings)

    @cached_property
    def db(self) -> Any:
        """The SQL store (drafts, reviews, audit, keys): see store.py."""
        from .store import Database

        return Database(self.settings.sqlalchemy_url)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
