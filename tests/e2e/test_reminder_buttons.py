"""The reminder's Resend and Revoke buttons: they work for the owner and for no one else."""

import json
from typing import Any

from bot.blocks import ids
from tests.e2e.conftest import OWNER, Running
from tests.e2e.steps import a_day_later, access, eventually, invite, set_up

ANA = "ana@example.com"


def _reminder(running: Running) -> dict[str, Any]:
    a_day_later(running)

    def reminders() -> list[dict[str, Any]]:
        posted = running.stub.messages("C0BILLING")
        return [m for m in posted if "have not been answered yet" in json.dumps(m)]

    # The delivery after the invitation may still be running, and may send it first.
    eventually(lambda: bool(reminders()))
    (reminder,) = reminders()
    return reminder


def _said(running: Running, text: str) -> None:
    running.stub.wait_for(lambda _calls: text in json.dumps(running.stub.responses()))


def test_owner_resends_and_revokes_from_the_reminder(running: Running) -> None:
    set_up(running)
    invite(running, ANA, ["invoices"])
    reminder = json.dumps(_reminder(running))
    assert ids.RESEND in reminder
    assert ids.REVOKE in reminder
    before = access(running, ANA)["invitation"]["expires_at"]
    running.slack.click(OWNER, ids.RESEND, ANA)
    _said(running, "was sent again")
    assert access(running, ANA)["invitation"]["expires_at"] > before
    running.slack.click(OWNER, ids.REVOKE, ANA)
    _said(running, "was revoked")
    assert access(running, ANA)["status"] == "revoked"


def test_a_non_owner_pressing_them_changes_nothing(running: Running) -> None:
    running.stub.add_user("U0EVE", "eve@example.com")
    set_up(running)
    invite(running, ANA, ["invoices"])
    _reminder(running)
    before = access(running, ANA)
    for action in (ids.RESEND, ids.REVOKE):
        running.slack.click("U0EVE", action, ANA)
    _said(running, "only the owner of Acme Ltd can revoke")
    _said(running, "only the owner of Acme Ltd can resend")
    assert access(running, ANA) == before
