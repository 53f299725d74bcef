"""The reminders channel as Slack really has it: the bot posts only where it is a member. It
joins a public channel itself; in a private one it asks to be invited; while it cannot post,
reminders are kept (the owner is told once) and go out as one digest when it can again."""

import json
from typing import Any

from sqlalchemy import Engine, text

from bot.blocks import ids
from tests.e2e.conftest import OWNER, Running
from tests.e2e.steps import a_day_later, eventually, invite, opened_view, set_up
from tests.slack_stub import BOT_USER_ID

ANA = "ana@example.com"
BEN = "ben@example.com"
PUBLIC = "C0BILLING"
PRIVATE = "G0FINANCE"
REMINDER = "have not been answered yet"
PAUSED = "Reminders paused: the bot is not in"


def _reminders(running: Running, channel: str) -> list[str]:
    posted = [json.dumps(m) for m in running.stub.messages(channel)]
    return [m for m in posted if REMINDER in m]


def _owner_dms(running: Running, marker: str) -> list[str]:
    posted = [json.dumps(m) for m in running.stub.messages(running.stub.dm_channel(OWNER))]
    return [m for m in posted if marker in m]


def _replies(running: Running) -> str:
    return json.dumps(running.stub.responses())


def _list(running: Running) -> str:
    response = running.slack.command(OWNER, "list")
    assert response.status_code == 200
    return response.text


def _home(running: Running) -> str:
    running.stub.reset_calls()
    running.slack.event({"type": "app_home_opened", "user": OWNER, "tab": "home"})
    running.stub.wait_for_calls("views.publish")
    return json.dumps(running.stub.home_view(OWNER))


def _bot_event(running: Running, kind: str, channel: str) -> None:
    event: dict[str, Any] = {"type": kind, "channel": channel}
    if kind.startswith("member_"):
        event |= {"user": BOT_USER_ID, "channel_type": channel[0], "team": "T0001"}
    assert running.slack.event(event).status_code == 200


def _refused_channel_messages(engine: Engine) -> int:
    with engine.connect() as connection:
        query = text("SELECT count(*) FROM outbox WHERE outcome LIKE 'refused%'")
        return int(connection.execute(query).scalar_one())


def test_setup_in_a_public_channel_joins_it_and_reminders_post(running: Running) -> None:
    set_up(running)
    assert running.stub.bot_is_in(PUBLIC)
    assert f"Reminders about pending invitations will appear in <#{PUBLIC}>" in _replies(running)
    invite(running, ANA, ["invoices"])
    a_day_later(running)
    eventually(lambda: len(_reminders(running, PUBLIC)) == 1)
    assert PAUSED not in _list(running)


def test_a_private_channel_keeps_reminders_until_the_bot_is_invited(
    running: Running, engine: Engine
) -> None:
    running.stub.add_channel(PRIVATE, "finance", private=True)
    set_up(running, channel=PRIVATE)
    assert not running.stub.bot_is_in(PRIVATE)
    assert f"{PAUSED} <#{PRIVATE}>" in _replies(running)
    assert "/invite @Billing Access" in _replies(running)
    invite(running, ANA, ["invoices"])
    a_day_later(running)
    invite(running, BEN, ["quotes"])
    a_day_later(running)
    assert running.stub.messages(PRIVATE) == []
    assert f"{PAUSED} <#{PRIVATE}>" in _list(running)
    assert f"{PAUSED} <#{PRIVATE}>" in _home(running)

    running.stub.invite_bot(PRIVATE)
    _bot_event(running, "member_joined_channel", PRIVATE)
    eventually(lambda: bool(_reminders(running, PRIVATE)))
    (digest,) = _reminders(running, PRIVATE)
    assert ANA in digest and BEN in digest
    assert PAUSED not in _list(running)
    assert _refused_channel_messages(engine) == 0


def test_a_bot_removed_from_the_channel_keeps_reminders_and_tells_the_owner_once(
    running: Running, engine: Engine
) -> None:
    set_up(running)
    invite(running, ANA, ["invoices"])
    running.stub.remove_bot(PUBLIC)  # silently: the failed post is how the bot finds out
    a_day_later(running)
    eventually(lambda: len(_owner_dms(running, PAUSED)) == 1)
    a_day_later(running)
    a_day_later(running)
    assert len(_owner_dms(running, PAUSED)) == 1
    assert _reminders(running, PUBLIC) == []
    assert f"{PAUSED} <#{PUBLIC}>" in _list(running)

    running.stub.invite_bot(PUBLIC)
    _bot_event(running, "member_joined_channel", PUBLIC)
    eventually(lambda: len(_reminders(running, PUBLIC)) == 1)

    running.stub.remove_bot(PUBLIC)
    _bot_event(running, "channel_left", PUBLIC)
    eventually(lambda: PAUSED in _list(running))
    a_day_later(running)
    eventually(lambda: len(_owner_dms(running, PAUSED)) == 2)
    assert len(_reminders(running, PUBLIC)) == 1
    assert _refused_channel_messages(engine) == 0


def test_an_archived_channel_pauses_reminders(running: Running) -> None:
    set_up(running)
    invite(running, ANA, ["invoices"])
    running.stub.archive_channel(PUBLIC)
    a_day_later(running)
    eventually(lambda: len(_owner_dms(running, "is archived")) == 1)
    assert f"Reminders paused:* <#{PUBLIC}> is archived" in _list(running)
    assert _reminders(running, PUBLIC) == []


def _save_settings(running: Running, channel: str) -> None:
    assert running.slack.command(OWNER, "settings").status_code == 200
    view = opened_view(running, ids.SETTINGS_MODAL)
    typed = {"type": "plain_text_input"}
    values = {
        ids.CHANNEL_BLOCK: {
            ids.CHANNEL_INPUT: {"type": "conversations_select", "selected_conversation": channel}
        },
        ids.FIRST_BLOCK: {ids.FIRST_INPUT: typed | {"value": "1d"}},
        ids.REPEAT_BLOCK: {ids.REPEAT_INPUT: typed | {"value": "1d"}},
        ids.EXPIRY_BLOCK: {ids.EXPIRY_INPUT: typed | {"value": "7d"}},
    }
    assert running.slack.submit(OWNER, view, values).status_code == 200


def test_settings_join_a_public_channel_and_ask_to_be_invited_to_a_private_one(
    running: Running,
) -> None:
    running.stub.add_channel("C0FINANCE", "finance")
    running.stub.add_channel(PRIVATE, "secret-finance", private=True)
    set_up(running)
    invite(running, ANA, ["invoices"])
    _save_settings(running, PRIVATE)
    eventually(lambda: len(_owner_dms(running, f"{PAUSED} <#{PRIVATE}>")) == 1)
    a_day_later(running)
    assert running.stub.messages(PRIVATE) == []
    assert _reminders(running, PUBLIC) == []

    _save_settings(running, "C0FINANCE")
    eventually(lambda: running.stub.bot_is_in("C0FINANCE"))
    eventually(lambda: len(_reminders(running, "C0FINANCE")) == 1)
    eventually(lambda: PAUSED not in _list(running))
