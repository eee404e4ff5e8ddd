"""ASGI entry point for process managers: `uvicorn assistant.api.server:app` (settings from the environment).

Under `crisis-desk serve --workers N` each worker process imports this module. uvicorn's master does
not take its workers with it when it is killed (kill -9, OOM killer): they would keep serving on the
shared socket and a restart would fail with "address already in use". So a worker watches its parent
and shuts down (gracefully, SIGTERM to itself) within a second of the master's death.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time

from assistant.api.app import create_app

PARENT_POLL_S = 0.5


def exit_with_parent(poll_s: float = PARENT_POLL_S) -> bool:
    """In a worker process, start a watchdog that stops this process when its parent dies; False when
    this process was not started by multiprocessing (a plain `uvicorn ...:app`)."""
    if multiprocessing.parent_process() is None:
        return False
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
    return True


exit_with_parent()
app = create_app()
