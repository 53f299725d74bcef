"""The stand-in Slack of tests/slack_stub in a process of its own, so that it never competes
for a GIL with what is measured: ``python -m bench.stub INVITEES`` prints its addresses as one
JSON line, then serves until its standard input is closed."""

import json
import sys

from bench.config import ACTIVE_USERS, BOT_TOKEN, OWNER, OWNER_EMAIL, invitee, member
from tests.slack_stub import SlackStub


def main() -> None:
    invitees = int(sys.argv[1])
    with SlackStub(bot_token=BOT_TOKEN) as stub:
        stub.add_user(OWNER, OWNER_EMAIL, is_admin=True)
        for n in range(ACTIVE_USERS):
            stub.add_user(*member(n))
        for n in range(invitees):
            stub.add_user(*invitee(n))
        addresses = {"api_url": stub.api_url, "response_url": stub.response_url("bench")}
        print(json.dumps(addresses), flush=True)
        sys.stdin.read()


if __name__ == "__main__":
    main()
