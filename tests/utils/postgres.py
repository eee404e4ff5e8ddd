"""A throwaway PostgreSQL server on 127.0.0.1 in a temp dir (initdb + pg_ctl, fsync off): for the
store tests and the report benchmark. Raises Unavailable when the binaries (or a user to run them as
root) are missing."""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.utils.servers import free_port


class Unavailable(RuntimeError):
    pass


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@contextmanager
def running_postgres() -> Iterator[str]:
    """Yields an admin URL (database `postgres`, user `crisis`, trust auth)."""
    bindir = pg_bin()
    if bindir is None:
        raise Unavailable("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    as_user: dict[str, object] = {}
    root = tempfile.mkdtemp(prefix="crisis-pg-")
    if os.geteuid() == 0:  # initdb refuses to run as root
        try:
            user = pwd.getpwnam("postgres")
        except KeyError as exc:
            shutil.rmtree(root, ignore_errors=True)
            raise Unavailable("running as root and there is no 'postgres' user to run initdb as") from exc
        os.chown(root, user.pw_uid, user.pw_gid)
        # subprocess drops privileges itself: no runuser/su needed (they live in /usr/sbin, often off PATH).
        as_user = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": root}
    data, port = Path(root) / "data", free_port()
    try:
        subprocess.run([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "crisis",
                        "-E", "UTF8", "--no-sync", "--no-instructions"], check=True, capture_output=True, **as_user)
        options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", f"{root}/log",
                        "-w", "-t", "30", "start"], check=True, capture_output=True, **as_user)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc.stderr.decode(errors='replace')}") from exc
    try:
        yield f"postgresql+psycopg://crisis@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, **as_user)
        shutil.rmtree(root, ignore_errors=True)


_databases = itertools.count(1)


def new_database(admin_url: str, prefix: str = "t") -> str:
    """A URL to a new, empty database on the server behind `admin_url` (one per test)."""
    name = f"{prefix}{os.getpid()}_{next(_databases)}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"
