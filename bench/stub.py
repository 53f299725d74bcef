"""The stand-in Slack of tests/slack_stub in a process of its own, so that it never competes
for a GIL with what is measured: ``python -m bench.stub INVITEES SWEEP_CHANNELS`` prints its
addresses as one JSON line, then serves until its standard input is closed. The bot is in the
account's channel and in each sweep account's channel, as it would be after `setup`."""

import json
import sys

from bench.config import (
    ACTIVE_USERS,
    BOT_TOKEN,
    CHANNEL,
    OWNER,
    OWNER_EMAIL,
    invitee,
    member,
    sweep_channel,
)
from tests.slack_stub import SlackStub


def main() -> None:
    invitees, sweep_channels = int(sys.argv[1]), int(sys.argv[2])
    with SlackStub(bot_token=BOT_TOKEN) as stub:
        stub.add_user(OWNER, OWNER_EMAIL, is_admin=True)
        for channel in (CHANNEL, *map(sweep_channel, range(sweep_channels))):
            stub.add_channel(channel, channel.lower(), bot_is_member=True)
        for n in range(ACTIVE_USERS):
            stub.add_user(*member(n))
        for n in range(invitees):
            stub.add_user(*invitee(n))
        addresses = {"api_url": stub.api_url, "response_url": stub.response_url("bench")}
        print(json.dumps(addresses), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
