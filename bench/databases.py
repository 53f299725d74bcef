"""A fresh, migrated database for each measurement, on SQLite or PostgreSQL."""

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from storage.engine import is_database_reachable, make_engine
from storage.migrate import upgrade


@dataclass(frozen=True)
class Backend:
    name: str
    url: str


def backends(sqlite_dir: Path, postgres_url: str | None) -> list[Backend]:
    """SQLite in ``sqlite_dir``, and PostgreSQL unless it is left out."""
    found = [Backend("SQLite", f"sqlite:///{sqlite_dir / 'bench.db'}")]
    if postgres_url is not None:
        found.append(Backend("PostgreSQL", postgres_url))
    return found


def fresh_database(backend: Backend) -> Engine:
    """Empty the database (the SQLite file, or PostgreSQL's public schema), then migrate it.

    PostgreSQL's public schema is dropped: point the benchmark at a database of its own.
    """
    url = make_url(backend.url)
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        for suffix in ("", "-wal", "-shm"):
            Path(url.database + suffix).unlink(missing_ok=True)
    engine = make_engine(backend.url)
    if not is_database_reachable(engine):
        raise RuntimeError(f"{backend.name} at {url.render_as_string()} is not reachable")
    if url.get_backend_name() != "sqlite":
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
    upgrade(engine)
    return engine
