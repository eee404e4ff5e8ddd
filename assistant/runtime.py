"""The long-lived objects of a process (settings, knowledge base, chat model, database), built once.

The API keeps one Runtime on `app.state.runtime`; the CLI builds one per command. Each part is
created on first use so `crisis-desk doctor` or `/healthz` never pays for loading a model.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant.config import Settings, get_settings

if TYPE_CHECKING:
    from assistant.knowledge.store import KnowledgeBase
    from assistant.models import Comment, Triage


class Runtime:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # A client-side limit on model calls (assistant.batch.limiter), set by the batch runner and workers.
        self.provider_limiter: Any = None

    @cached_property
    def kb(self) -> KnowledgeBase:
        from assistant.knowledge.store import KnowledgeBase

        with self._lock:
            return KnowledgeBase(self.settings)

    @cached_property
    def chat_model(self) -> Any:
        """A LangChain chat model for the `openai` provider; None for `offline`."""
        from assistant.drafting.llm import make_chat_model

        return make_chat_model(self.settings)

    @cached_property
    def db(self) -> Any:
        """The SQL store (drafts, reviews, audit, keys): see store.py."""
        from assistant.review.store import Database

        return Database(self.settings.sqlalchemy_url)

    @cached_property
    def monitor(self) -> Any:
        """Stream statistics over every comment triaged or drafted (spike and campaign alerts), kept in
        the review store: every worker sees the same alerts and they survive a restart."""
        from assistant.review.monitor_store import StoredMonitor

        return StoredMonitor(self.db)

    def monitor_observe(self, comment: Comment, triage: Triage | None, incident: str | None) -> None:
        from assistant.guards import mask_pii

        if triage is None:
            return
        with self._lock:
            # A client's created_at counts only when plausible (Monitor.placed): else the arrival time.
            when = self.monitor.placed(comment.created_at, datetime.now(UTC))
            # Alerts show example comments to people: masked like everything else that leaves the chain.
            self.monitor.observe(comment.id or uuid.uuid4().hex, when, incident=incident,
                                 sentiment=triage.sentiment, text=mask_pii(comment.text).text,
                                 author=comment.author_handle or comment.author)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()
