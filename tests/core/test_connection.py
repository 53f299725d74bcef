"""Connecting an account to a WHMCS client: a one-time code to the client's own address,
kept only hashed, for 15 minutes, used once, 5 wrong tries; one client per account."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from bot.core import BillingAccess
from bot.core.errors import Conflict, InvalidInput, NotAuthorized, NotFound, Unavailable
from bot.core.portal import PortalAuthFailed, PortalUnreachable
from tests.conftest import OWNER, TEAM, FakeClock
from tests.core.fake_portal import CLIENT, FakePortal, acme_with_portal, connect
from tests.core.helpers import actions


@pytest.fixture
def portal() -> FakePortal:
    return FakePortal()


@pytest.fixture
def core(engine: Engine, clock: FakeClock, portal: FakePortal) -> BillingAccess:
    return acme_with_portal(engine, clock, portal, sync_every=timedelta(minutes=5))


def test_the_code_goes_to_the_client_and_connects_once(
    core: BillingAccess, portal: FakePortal, engine: Engine
) -> None:
    core.connection.start(TEAM, actor=OWNER, client_id=CLIENT)
    code = portal.last_code()
    assert code.isdigit() and 6 <= len(code) <= 8
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT code_hash FROM portal_connect_code")).scalar()
    assert code not in str(stored)
    core.connection.finish(TEAM, actor=OWNER, client_id=CLIENT, code=code)
    assert core.accounts.require(TEAM).whmcs_client_id == CLIENT
    assert ("portal.connected", f"WHMCS client {CLIENT}") in actions(core)
    core.connection.disconnect(TEAM, actor=OWNER)
    with pytest.raises(NotFound):  # used once
        core.connection.finish(TEAM, actor=OWNER, client_id=CLIENT, code=code)


def test_an_unknown_client_is_answered_as_a_known_one_and_nothing_is_sent(
    core: BillingAccess, portal: FakePortal
) -> None:
    core.connection.start(TEAM, actor=OWNER, client_id=7)
    assert portal.emails == []
    with pytest.raises(InvalidInput, match="That code is not right; 4 more tries"):
        core.connection.finish(TEAM, actor=OWNER, client_id=7, code="12345678")
    assert core.accounts.require(TEAM).whmcs_client_id is None


def test_an_account_asks_for_at_most_five_codes_an_hour(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    for client_id in (CLIENT, 7, CLIENT, 8, CLIENT):
        core.connection.start(TEAM, actor=OWNER, client_id=client_id)
    with pytest.raises(Conflict, match="5 codes in the last hour"):
        core.connection.start(TEAM, actor=OWNER, client_id=CLIENT)
    assert len(portal.emails) == 3
    clock.advance(timedelta(hours=1))
    core.connection.start(TEAM, actor=OWNER, client_id=CLIENT)
    assert len(portal.emails) == 4
    asked = [target for action, target in actions(core) if action == "portal.code_requested"]
    assert asked[-2:] == [f"WHMCS client {CLIENT}", f"WHMCS client {CLIENT}"]


def test_a_code_expires_after_15_minutes(
    core: BillingAccess, portal: FakePortal, clock: FakeClock
) -> None:
    core.connection.start(TEAM, actor=OWNER, client_id=CLIENT)
    clock.advance(timedelta(minutes=15))
    with pytest.raises(Conflict, match="expired"):
        core.connection.finish(TEAM, actor=OWNER, client_id=CLIENT, code=portal.last_code())
    assert core.accounts.require(TEAM).whmcs_client_id is None


def test_five_wrong_tries_void_the_code(core: BillingAccess, portal: FakePortal) -> None:
    core.connection.start(TEAM, actor=OWNER, client_id=CLIENT)
    right = portal.last_code()
    wrong = "00000000" if right != "00000000" else "11111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(InvalidInput, match=f"{left} more tries"):
            core.connection.finish(TEAM, actor=OWNER, client_id=CLIENT, code=wrong)
    with pytest.raises(NotAuthorized, match="Too many wrong codes"):
        core.connection.finish(TEAM, actor=OWNER, client_id=CLIENT, code=wrong)
    with pytest.raises(NotFound):
        core.connection.finish(TEAM, actor=OWNER, client_id=CLIENT, code=right)


def test_only_the_owner_connects(core: BillingAccess) -> None:
    with pytest.raises(NotAuthorized, match="only the owner"):
        core.connection.start(TEAM, actor="U0EVE", client_id=CLIENT)


def test_one_client_belongs_to_one_account(core: BillingAccess, portal: FakePortal) -> None:
    connect(core, portal)
    core.accounts.setup(
        "T0OTHER",
        "Other Ltd",
        actor="U0OTHER",
        actor_email="o@other.example",
        actor_is_workspace_admin=True,
        channel_id="C0OTHER",
    )
    core.connection.start("T0OTHER", actor="U0OTHER", client_id=CLIENT)
    with pytest.raises(Conflict, match="already connected to another billing account"):
        core.connection.finish(
            "T0OTHER", actor="U0OTHER", client_id=CLIENT, code=portal.last_code()
        )
    assert core.accounts.require("T0OTHER").whmcs_client_id is None


def test_whmcs_not_answering_keeps_nothing(core: BillingAccess, portal: FakePortal) -> None:
    portal.failure = PortalUnreachable("timed out")
    with pytest.raises(Unavailable, match="Nothing was changed"):
        core.connection.start(TEAM, actor=OWNER, client_id=CLIENT)
    portal.failure = PortalAuthFailed("Authentication Failed")
    with pytest.raises(Unavailable, match="credentials"):
        core.connection.start(TEAM, actor=OWNER, client_id=CLIENT)
    portal.failure = None
    with pytest.raises(NotFound):
        core.connection.finish(TEAM, actor=OWNER, client_id=CLIENT, code="12345678")
