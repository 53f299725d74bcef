"""Writes (part 4): invitations created per second through the core, one email per call."""

import time
from dataclasses import dataclass

from sqlalchemy import func, select

from bench.config import OWNER, TEAM
from bench.databases import Backend, fresh_database
from bench.seed import PERMISSIONS, set_up_account
from storage.tables import Invitation


@dataclass(frozen=True)
class Writes:
    backend: str
    invitations: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.invitations / self.seconds


def measure_writes(count: int, backends: list[Backend]) -> list[Writes]:
    return [_measure(backend, count) for backend in backends]


def _measure(backend: Backend, count: int) -> Writes:
    engine = fresh_database(backend)
    try:
        core = set_up_account(engine)
        started = time.perf_counter()
        for n in range(count):
            email = f"write{n:07d}@bench.example.com"
            core.invitations.invite(TEAM, actor=OWNER, emails=[email], permissions=PERMISSIONS)
        seconds = time.perf_counter() - started
        with engine.connect() as connection:
            stored = connection.scalar(select(func.count()).select_from(Invitation))
    finally:
        engine.dispose()
    if stored != count:
        raise RuntimeError(f"writes on {backend.name}: {stored} of {count} invitations stored")
    return Writes(backend.name, count, seconds)
