"""The stand-in Slack of tests/slack_stub in a process of its own, so that it never competes
for a GIL with what is measured: ``python -m bench.stub INVITEES SWEEP_CHANNELS WORKSPACES``
prints its addresses as one JSON line, then serves until its standard input is closed. The bot
is in the account's channel and in each sweep account's channel, as it would be after `setup`;
the mix's ``WORKSPACES`` (``bench.config.workspace``) are installed, each with its own token,
owner, active users and account channel."""

import json
import sys

from bench.config import (
    BENCH_TEAM,
    BOT_TOKEN,
    CHANNEL,
    OWNER_EMAIL,
    Team,
    invitee,
    sweep_channel,
    workspace,
)
from tests.slack_stub import SlackStub


def add_people(stub: SlackStub, team: Team) -> None:
    """``team``'s owner (an admin), active users and account channel, the bot in it."""
    stub.add_user(team.owner, OWNER_EMAIL, is_admin=True, workspace=team.id)
    stub.add_channel(CHANNEL, CHANNEL.lower(), bot_is_member=True, workspace=team.id)
    for n in range(team.active_users):
        stub.add_user(*team.member(n), workspace=team.id)


def main() -> None:
    invitees, sweep_channels, workspaces = map(int, sys.argv[1:4])
    with SlackStub(bot_token=BOT_TOKEN) as stub:
        add_people(stub, BENCH_TEAM)
        for channel in map(sweep_channel, range(sweep_channels)):
            stub.add_channel(channel, channel.lower(), bot_is_member=True)
        for team in map(workspace, range(workspaces)):
            stub.add_workspace(team.id, f"Workspace {team.id}", bot_token=team.token)
            add_people(stub, team)
        for n in range(invitees):
            stub.add_user(*invitee(n))
        addresses = {"api_url": stub.api_url, "response_url": stub.response_url("bench")}
        print(json.dumps(addresses), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
