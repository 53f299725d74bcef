"""The sweep's queries use indexes, so their cost follows the due rows, not all rows.

Each query is explained against a table of 30,000 invitations of which a few are due; the
plan must read the invitation table through one of its indexes, never scan it whole."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, Select, insert
from sqlmodel import SQLModel

from storage.repositories import Invitations
from storage.tables import InvitationStatus

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ROWS = 30_000
ACCOUNTS = 50


def _rows() -> Iterator[dict[str, Any]]:
    for n in range(ROWS):
        due = n % 500 == 0
        yield {
            "account_id": 1 + n % ACCOUNTS,
            "email": f"u{n}@example.com",
            "permissions": [],
            "status": InvitationStatus.PENDING if n % 3 == 0 or due else InvitationStatus.ACCEPTED,
            "invited_by_user_id": "U1",
            "created_at": NOW,
            "sent_at": NOW,
            "expires_at": NOW + timedelta(days=7 if n % 700 else -1),
            "next_reminder_at": NOW + timedelta(hours=-1 if due else 1 + n % 100),
            "reminder_count": 0,
        }


@pytest.fixture
def populated(engine: Engine) -> Engine:
    account = {"name": "A", "owner_user_id": "U1", "reminders_channel_id": "C1", "created_at": NOW}
    accounts = [{"team_id": f"T{i}", **account} for i in range(ACCOUNTS)]
    with engine.begin() as connection:
        connection.execute(insert(SQLModel.metadata.tables["account"]), accounts)
        connection.execute(insert(SQLModel.metadata.tables["invitation"]), list(_rows()))
        connection.exec_driver_sql("ANALYZE")
    return engine


def _plan(engine: Engine, query: Select[Any]) -> str:
    compiled = query.compile(dialect=engine.dialect)
    sqlite = engine.dialect.name == "sqlite"
    params: Any = compiled.params
    if sqlite:
        params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(explain + str(compiled), params).all()
    return "\n".join(" ".join(str(part) for part in row) for row in rows)


class _Capture:
    """Stands in for a session: keeps the query a repository builds instead of running it."""

    def __init__(self) -> None:
        self.query: Select[Any] | None = None

    def exec(self, query: Select[Any]) -> "_Capture":
        self.query = query
        return self

    def all(self) -> list[Any]:
        return []


def _query_of(call: Any) -> Select[Any]:
    capture = _Capture()
    call(capture)
    assert capture.query is not None
    return capture.query


SWEEP_QUERIES = {
    "accounts with due reminders": lambda s: Invitations(s).accounts_with_due_reminders(
        NOW, limit=200
    ),
    "an account's due reminders": lambda s: Invitations(s).due_reminders(7, NOW, limit=500),
    "overdue invitations": lambda s: Invitations(s).overdue(NOW, limit=500),
}


@pytest.mark.parametrize("name", SWEEP_QUERIES)
def test_sweep_queries_read_through_an_index(populated: Engine, name: str) -> None:
    """Seen when written: PostgreSQL reads ix_invitation_due_reminder,
    ix_invitation_account_reminder and ix_invitation_due_expiry respectively; SQLite reads
    ix_invitation_account_reminder for the first two and ix_invitation_due_expiry."""
    plan = _plan(populated, _query_of(SWEEP_QUERIES[name]))
    # The accounts' table (50 rows here) may be read whole to leave out paused workspaces.
    assert "Seq Scan on invitation" not in plan, plan
    assert "SCAN invitation" not in plan.replace("SCAN invitation USING", ""), plan
    assert re.search(
        r"(Index|INDEX) (Scan using |Only Scan using |Cond|)?\(?ix_invitation_", plan
    ) or (re.search(r"USING (COVERING )?INDEX ix_invitation_", plan)), plan
