"""A stand-in Slack Web API server for tests, driven by a real slack_sdk WebClient."""

from tests.slack_stub.ids import BOT_ID, BOT_USER_ID, TEAM_ID
from tests.slack_stub.server import RecordedCall, SlackStub

__all__ = ["BOT_ID", "BOT_USER_ID", "TEAM_ID", "RecordedCall", "SlackStub"]
