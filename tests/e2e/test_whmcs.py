"""The billing portal enforces what Slack decides (DESIGN §9), end to end: the real app served
over HTTP, signed Slack requests, the stand-in Slack, and the stand-in WHMCS on loopback."""

import json
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from bot.scheduler import sweep_and_deliver, sync_and_deliver
from tests.e2e.conftest import OWNER, Running, serve_bot
from tests.e2e.steps import access, drain, eventually, invite, set_up
from tests.slack_stub import SlackStub
from tests.whmcs_stub import WhmcsStub

CLIENT_EMAIL = "billing@client.example.com"
ANA = "ana@example.com"
BO = "bo@example.com"
INTERVAL = timedelta(minutes=6)  # past the longest spread interval (5 minutes, +10%)


@pytest.fixture
def whmcs() -> Iterator[WhmcsStub]:
    with WhmcsStub() as running:
        yield running


@pytest.fixture
def bot(engine: Engine, stub: SlackStub, whmcs: WhmcsStub) -> Iterator[Running]:
    settings = {
        "WHMCS_API_URL": whmcs.api_url,
        "WHMCS_API_IDENTIFIER": whmcs.identifier,
        "WHMCS_API_SECRET": whmcs.secret,
    }
    with serve_bot(engine, stub, **settings) as running:
        yield running


@pytest.fixture
def client_id(whmcs: WhmcsStub) -> int:
    return whmcs.add_client(CLIENT_EMAIL, companyname="Client Co")


def _said(running: Running, text: str) -> None:
    running.stub.wait_for(lambda _calls: text in json.dumps(running.stub.responses()))


def _connect(running: Running, whmcs: WhmcsStub, client_id: int) -> None:
    if running.bot.deps.core.accounts.find("T0001") is None:
        set_up(running)
    running.slack.command(OWNER, f"connect {client_id}")
    running.stub.wait_for(lambda _c: bool(whmcs.sent_emails()))
    (email,) = whmcs.sent_emails()
    code = re.search(r"\b(\d{6,8})\b", email.message)
    assert code is not None
    assert code.group(1) not in json.dumps(running.stub.responses())  # never shown in Slack
    running.slack.command(OWNER, f"connect {client_id} {code.group(1)}")
    eventually(lambda: running.bot.deps.core.accounts.require("T0001").whmcs_client_id is not None)


def _idle(running: Running) -> None:
    """Wait for whatever the bot was already doing in the background (deliveries, syncs)."""
    deps = running.bot.deps
    drain(deps.background)
    assert deps.portal_sync is not None
    deps.portal_sync.idle()


def _deliver(running: Running) -> None:
    """Send what is owed now, after whatever the bot was already doing in the background."""
    _idle(running)
    running.bot.deps.deliverer.deliver_all()


def _settle(running: Running, *, later: timedelta = INTERVAL) -> None:
    """Time passes: what is due is reconciled with WHMCS and what is owed is delivered."""
    deps = running.bot.deps
    _idle(running)  # what the bot does after each request is not racing this
    running.clock.advance(later)
    assert deps.portal_sync is not None
    sync_and_deliver(deps.portal_sync, deps.deliverer)
    sweep_and_deliver(deps.core, deps.deliverer)


def test_connect_import_invite_accept_in_whmcs_change_and_remove(
    bot: Running, whmcs: WhmcsStub, client_id: int
) -> None:
    whmcs.portal_add_user(client_id, "finance@client.example.com", ["invoices"])
    _connect(bot, whmcs, client_id)
    _settle(bot)
    assert access(bot, "finance@client.example.com")["permissions"] == ["invoices"]

    bot.stub.add_user("U0ANA", ANA)
    invite(bot, ANA, ["invoices", "quotes"])
    whmcs.wait_for_calls("CreateClientInvite")
    (pending,) = whmcs.pending_invites()
    assert pending.email == ANA

    whmcs.follow_invite(ANA)
    _settle(bot)
    assert access(bot, ANA)["status"] == "active"
    assert access(bot, ANA)["permissions"] == ["invoices", "quotes"]
    owner_dm = json.dumps(bot.stub.messages(bot.stub.dm_channel(OWNER)))
    assert f"{ANA} accepted the invitation in the billing portal" in owner_dm
    ana_dm = json.dumps(bot.stub.messages(bot.stub.dm_channel("U0ANA")))
    assert "You accepted the invitation to *Acme Ltd*" in ana_dm

    bot.bot.deps.core.members.set_permissions(
        "T0001", actor=OWNER, email=ANA, permissions=["tickets"]
    )
    _deliver(bot)
    assert whmcs.permissions_of(client_id, ANA) == ("tickets",)
    bot.bot.deps.core.members.remove_access("T0001", actor=OWNER, email=ANA)
    _deliver(bot)
    assert whmcs.permissions_of(client_id, ANA) is None
    _settle(bot)
    assert access(bot, ANA)["status"] == "removed"


def test_a_change_in_the_portal_appears_in_slack_as_the_portals(
    bot: Running, whmcs: WhmcsStub, client_id: int
) -> None:
    _connect(bot, whmcs, client_id)
    user = whmcs.portal_add_user(client_id, ANA, ["invoices"])
    _settle(bot)
    whmcs.portal_set_permissions(client_id, user, ["invoices", "tickets"])
    _settle(bot)
    assert access(bot, ANA)["permissions"] == ["invoices", "tickets"]
    changed = bot.bot.deps.core.audit.trail("T0001")[-1]
    assert (changed.actor_user_id, changed.action) == ("billing portal", "permissions.changed")


def test_a_revoked_invitation_accepted_anyway_is_undone_in_whmcs(
    bot: Running, whmcs: WhmcsStub, client_id: int
) -> None:
    _connect(bot, whmcs, client_id)
    invite(bot, ANA, ["invoices"])
    whmcs.wait_for_calls("CreateClientInvite")
    bot.slack.command(OWNER, f"revoke {ANA}")
    eventually(lambda: access(bot, ANA)["status"] == "revoked")
    whmcs.follow_invite(ANA)
    _settle(bot)
    assert whmcs.permissions_of(client_id, ANA) is None
    assert len(whmcs.calls_to("DeleteUserClient")) == 1


@pytest.mark.parametrize("fault", ["http 500", "an HTML page", "bad credentials"])
def test_an_outage_delays_a_change_and_loses_nothing(
    bot: Running, whmcs: WhmcsStub, client_id: int, fault: str
) -> None:
    _connect(bot, whmcs, client_id)
    if fault == "http 500":
        whmcs.fail_next("CreateClientInvite", times=2)
    elif fault == "an HTML page":
        whmcs.answer_html_next("CreateClientInvite", times=2)
    else:
        whmcs.error_next("CreateClientInvite", "Authentication Failed", times=2)
    invite(bot, ANA, ["invoices"])
    eventually(lambda: len(whmcs.failed_calls) >= 1)
    assert whmcs.pending_invites() == []
    assert "syncing" in _pending(bot)
    for _ in range(3):
        _settle(bot, later=timedelta(hours=1))
    assert [invite.email for invite in whmcs.pending_invites()] == [ANA]
    assert "syncing" not in _pending(bot)


def _pending(running: Running) -> str:
    return running.slack.command(OWNER, "pending").text


def test_contacts_are_added_and_removed_in_whmcs_with_their_emails(
    bot: Running, whmcs: WhmcsStub, client_id: int
) -> None:
    _connect(bot, whmcs, client_id)
    bot.bot.deps.core.contacts.add(
        "T0001",
        actor=OWNER,
        email="lee@example.com",
        name="Lee Books",
        email_kinds=["invoice", "support"],
    )
    _deliver(bot)
    (contact,) = whmcs.contacts_of(client_id)
    assert (contact.email, set(contact.email_kinds)) == ("lee@example.com", {"invoice", "support"})
    bot.bot.deps.core.contacts.remove("T0001", actor=OWNER, email="lee@example.com")
    _deliver(bot)
    assert whmcs.contacts_of(client_id) == []


def test_an_answer_lost_after_the_change_is_not_repeated(
    bot: Running, whmcs: WhmcsStub, client_id: int
) -> None:
    user = whmcs.portal_add_user(client_id, ANA, ["invoices"])
    _connect(bot, whmcs, client_id)
    _settle(bot)
    whmcs.lose_answer_next("DeleteUserClient")
    bot.bot.deps.core.members.remove_access("T0001", actor=OWNER, email=ANA)
    _deliver(bot)
    assert whmcs.permissions_of(client_id, ANA) is None  # it was done; the answer was lost
    _settle(bot, later=timedelta(hours=1))
    assert len(whmcs.calls_to("DeleteUserClient")) + len(whmcs.failed_calls) == 1
    assert user is not None


def test_whmcs_refusing_a_change_tells_the_owner_in_its_words(
    bot: Running, whmcs: WhmcsStub, client_id: int
) -> None:
    _connect(bot, whmcs, client_id)
    whmcs.error_next("CreateClientInvite", "The email address entered is not valid")
    invite(bot, ANA, ["invoices"])
    bot.stub.wait_for(
        lambda _c: (
            "The email address entered is not valid"
            in json.dumps(bot.stub.messages(bot.stub.dm_channel(OWNER)))
        )
    )
    assert access(bot, ANA)["status"] == "revoked"  # not in WHMCS, so not pending here either


def test_invitations_pending_when_connecting_are_carried_to_whmcs_and_accepted_there(
    bot: Running, whmcs: WhmcsStub, client_id: int
) -> None:
    set_up(bot)
    invite(bot, ANA, ["invoices"])
    invite(bot, BO, ["quotes"])
    whmcs.portal_add_user(client_id, BO, ["tickets"])  # a user of the client already
    _connect(bot, whmcs, client_id)
    _deliver(bot)
    assert [pending.email for pending in whmcs.pending_invites()] == [ANA]
    whmcs.follow_invite(ANA)
    _settle(bot)
    assert (access(bot, ANA)["status"], access(bot, ANA)["permissions"]) == ("active", ["invoices"])
    assert (access(bot, BO)["status"], access(bot, BO)["permissions"]) == ("active", ["tickets"])
    assert "refused" not in json.dumps(bot.stub.messages(bot.stub.dm_channel(OWNER)))
