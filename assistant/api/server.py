"""ASGI entry point for process managers: `uvicorn assistant.api.server:app` (settings from the environment)."""

from __future__ import annotations

from assistant.api.app import create_app

app = create_app()
