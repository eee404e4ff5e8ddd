"""The `crisis-desk` command: a thin layer over the library (nothing in the package imports it)."""

from assistant.cli.main import app

__all__ = ["app"]
