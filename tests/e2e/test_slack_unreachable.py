"""Slack's Web API out of reach (an outage, a proxy, a firewall) before the bot could check
which workspace its token is for: a request is refused politely, with a warning in the log,
rather than answered with a 500 and a traceback."""

import logging

import pytest
from sqlalchemy import Engine

from tests.e2e.conftest import OWNER, serve_bot
from tests.slack_stub import SlackStub

NOWHERE = "http://127.0.0.1:9/api/"
"""The discard port: nothing listens there."""


def test_a_command_is_refused_politely_while_slack_cannot_be_reached(
    engine: Engine, stub: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING), serve_bot(engine, stub, SLACK_API_URL=NOWHERE) as bot:
        answered = bot.slack.command(OWNER, "help")
    assert answered.status_code == 200
    assert "cannot reach Slack right now" in answered.text
    assert "Nothing was changed" in answered.text
    assert "Slack could not be reached (auth.test" in caplog.text
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.name.startswith("slack_bolt")]
