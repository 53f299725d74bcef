"""Delivery of what the core owes people: once each, and later when Slack says no."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from slack_sdk import WebClient

from bot.blocks import ids
from bot.core import BillingAccess
from bot.core.outbox import Job
from bot.slack.client import OneWorkspace
from bot.slack.delivery import Deliverer
from tests.conftest import OWNER, TEAM, FakeClock
from tests.slack_stub import SlackStub


def _invite(core: BillingAccess, *emails: str) -> None:
    core.invitations.invite(TEAM, actor=OWNER, emails=emails, permissions=["invoices"])


def _invitation_dms(stub: SlackStub, user_id: str) -> list[object]:
    return [m for m in stub.messages(stub.dm_channel(user_id)) if ids.ACCEPT in json.dumps(m)]


def test_an_invitation_refused_by_slack_is_sent_on_a_later_pass_once(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub, clock: FakeClock
) -> None:
    stub.add_user("U0ANA", "ana@example.com")
    _invite(core, "ana@example.com")
    stub.fail_next("chat.postMessage", times=3, status=500)
    assert deliverer.deliver_due() == 1
    assert _invitation_dms(stub, "U0ANA") == []
    assert deliverer.deliver_due() == 0  # not due again yet
    clock.advance(timedelta(minutes=1))
    assert deliverer.deliver_due() == 1
    assert len(_invitation_dms(stub, "U0ANA")) == 1
    clock.advance(timedelta(hours=1))
    assert deliverer.deliver_due() == 0
    assert len(_invitation_dms(stub, "U0ANA")) == 1


def test_a_rate_limit_is_waited_out_by_the_client(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> None:
    stub.add_user("U0ANA", "ana@example.com")
    _invite(core, "ana@example.com")
    stub.fail_next("chat.postMessage", times=1, status=429, retry_after=1)
    deliverer.deliver_due()
    assert len(_invitation_dms(stub, "U0ANA")) == 1
    assert len(stub.failed_calls) == 1


def test_an_invitee_outside_the_workspace_is_not_messaged(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> None:
    _invite(core, "outsider@example.com")
    deliverer.deliver_due()
    assert stub.calls_to("chat.postMessage") == []
    assert core.members.access_for(TEAM, "outsider@example.com").status == "invited"


def test_concurrent_deliverers_send_each_invitation_once(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> None:
    emails = [f"user{i}@example.com" for i in range(30)]
    for index, email in enumerate(emails):
        stub.add_user(f"U{index:04d}", email)
    _invite(core, *emails)
    with ThreadPoolExecutor(4) as pool:
        handled = sum(pool.map(lambda _i: deliverer.deliver_due(limit=5), range(12)))
    assert handled == 30
    posted = [call.args["channel"] for call in stub.calls_to("chat.postMessage")]
    assert sorted(posted) == sorted({stub.dm_channel(f"U{i:04d}") for i in range(30)})


def test_a_timed_out_post_is_sent_again_later_once(
    core: BillingAccess, stub: SlackStub, clock: FakeClock
) -> None:
    impatient = WebClient(token=stub.bot_token, base_url=stub.api_url, timeout=1)
    deliverer = Deliverer(core, OneWorkspace(impatient), clock)
    stub.add_user("U0ANA", "ana@example.com")
    _invite(core, "ana@example.com")
    stub.fail_next("chat.postMessage", times=1, status=503, delay_seconds=1.5)
    assert deliverer.deliver_due() == 1
    assert _invitation_dms(stub, "U0ANA") == []
    clock.advance(timedelta(minutes=1))
    assert deliverer.deliver_due() == 1
    assert len(_invitation_dms(stub, "U0ANA")) == 1


def test_a_newcomer_welcomed_before_the_first_send_gets_one_invitation(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> None:
    _invite(core, "new@example.com")
    stub.add_user("U0NEW", "new@example.com")
    core.invitations.welcome(TEAM, "new@example.com")
    deliverer.deliver_due()
    deliverer.deliver_due()
    assert len(_invitation_dms(stub, "U0NEW")) == 1


def test_a_resend_messages_the_invitee_again(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> None:
    stub.add_user("U0ANA", "ana@example.com")
    _invite(core, "ana@example.com")
    deliverer.deliver_due()
    core.invitations.resend(TEAM, actor=OWNER, email="ana@example.com")
    core.invitations.welcome(TEAM, "ana@example.com")
    deliverer.deliver_due()
    assert len(_invitation_dms(stub, "U0ANA")) == 2


def _welcomed_while_the_first_dm_is_in_flight(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> Job:
    """new@example.com joins while their invitation's DM is being sent; the welcome waits."""
    _invite(core, "new@example.com")
    [in_flight] = core.outbox.claim()
    stub.add_user("U0NEW", "new@example.com")
    core.invitations.welcome(TEAM, "new@example.com")
    assert deliverer.deliver_all() == 0
    return in_flight


def test_a_welcome_waits_for_the_invitation_dm_in_flight_and_then_is_not_sent(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> None:
    in_flight = _welcomed_while_the_first_dm_is_in_flight(core, deliverer, stub)
    core.outbox.record_invitation_dm(in_flight, user_id="U0NEW", channel_id="D0NEW", ts="1.0")
    assert deliverer.deliver_all() == 1
    assert _invitation_dms(stub, "U0NEW") == []


def test_a_welcome_is_sent_when_the_dm_in_flight_found_nobody(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> None:
    in_flight = _welcomed_while_the_first_dm_is_in_flight(core, deliverer, stub)
    core.outbox.done(in_flight, "not in the workspace yet")
    assert deliverer.deliver_all() == 1
    assert len(_invitation_dms(stub, "U0NEW")) == 1


def test_a_dm_revoked_while_it_is_in_flight_loses_its_buttons_once_it_is_sent(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> None:
    stub.add_user("U0ANA", "ana@example.com")
    _invite(core, "ana@example.com")
    [in_flight] = core.outbox.claim()
    core.invitations.revoke(TEAM, actor=OWNER, email="ana@example.com")
    assert deliverer.deliver_all() == 0  # the update waits for the DM it updates
    slack = WebClient(token=stub.bot_token, base_url=stub.api_url)
    channel = slack.conversations_open(users="U0ANA")["channel"]["id"]
    sent = slack.chat_postMessage(channel=channel, text="the invitation, with buttons")["ts"]
    core.outbox.record_invitation_dm(in_flight, user_id="U0ANA", channel_id=channel, ts=sent)
    assert deliverer.deliver_all() == 1
    assert [call.args["ts"] for call in stub.calls_to("chat.update")] == [sent]


def test_concurrent_deliverers_send_each_newcomer_one_invitation(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub
) -> None:
    emails = [f"user{i}@example.com" for i in range(20)]
    _invite(core, *emails)
    for index, email in enumerate(emails):
        stub.add_user(f"U{index:04d}", email)
        core.invitations.welcome(TEAM, email)

    def one_at_a_time(_: int) -> int:
        return sum(iter(lambda: deliverer.deliver_due(limit=1), 0))

    with ThreadPoolExecutor(4) as pool:
        handled = sum(pool.map(one_at_a_time, range(8)))
    assert handled + deliverer.deliver_all() == 40
    posted = [call.args["channel"] for call in stub.calls_to("chat.postMessage")]
    assert sorted(posted) == sorted(stub.dm_channel(f"U{i:04d}") for i in range(20))


def test_a_refused_token_never_makes_a_message_give_up(
    core: BillingAccess, deliverer: Deliverer, stub: SlackStub, clock: FakeClock
) -> None:
    stub.add_user("U0ANA", "ana@example.com")
    _invite(core, "ana@example.com")
    stub.error_next("users.lookupByEmail", "token_revoked", times=30)
    for _ in range(30):  # more attempts than any other refusal is given
        assert deliverer.deliver_due() == 1
        clock.advance(timedelta(hours=1))
    assert _invitation_dms(stub, "U0ANA") == []
    deliverer.deliver_due()  # the app is reinstalled: the token works again
    assert len(_invitation_dms(stub, "U0ANA")) == 1
