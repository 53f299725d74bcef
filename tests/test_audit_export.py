"""The audit export: CSV that a spreadsheet opens as text, JSON lines as recorded."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from bot.audit_export import write_events
from bot.core import BillingAccess
from storage.tables import AuditEvent
from tests.conftest import OWNER, TEAM

LINK = '=HYPERLINK("http://evil.example/x","Click")'
FORMULA_EMAIL = "=1+1@evil.example"


def _export(billing: BillingAccess, fmt: str) -> str:
    out = io.StringIO()
    write_events(billing.audit.trail(TEAM), out, fmt)
    return out.getvalue()


def _hostile_trail(billing: BillingAccess) -> None:
    billing.contacts.add(TEAM, actor=OWNER, email="eve@example.com", name=LINK)
    billing.invitations.invite(TEAM, actor=OWNER, emails=[FORMULA_EMAIL], permissions=["quotes"])


def test_csv_cells_that_would_be_formulas_start_with_a_quote(billing: BillingAccess) -> None:
    _hostile_trail(billing)
    rows = list(csv.DictReader(io.StringIO(_export(billing, "csv"))))
    contact, invitation = rows[-2:]
    # The detail starts with the name (what the contact gets may follow it).
    assert contact["action"] == "contact.added"
    assert contact["detail"].startswith(f"'{LINK}")
    assert (invitation["action"], invitation["target"]) == (
        "invitation.created",
        f"'{FORMULA_EMAIL}",
    )
    assert contact["target"] == "eve@example.com"


def test_json_lines_keep_the_values_as_recorded(billing: BillingAccess) -> None:
    _hostile_trail(billing)
    contact, invitation = [json.loads(line) for line in _export(billing, "jsonl").splitlines()[-2:]]
    assert contact["detail"].startswith(LINK)
    assert invitation["target"] == FORMULA_EMAIL


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised(start: str) -> None:
    event = AuditEvent(
        account_id=1,
        at=datetime(2026, 3, 2, tzinfo=UTC),
        actor_user_id="U1",
        action="contact.added",
        detail=f"{start}1+1",
    )
    out = io.StringIO()
    write_events([event], out, "csv")
    (row,) = csv.DictReader(io.StringIO(out.getvalue(), newline=""))
    assert row["detail"] == f"'{start}1+1"
