"""The requests of the mix (part 6): what is sent, in what proportions, and what each kind's
acknowledgement must contain. Bodies come from the end-to-end tests' builders
(``tests/e2e/slack_requests.py``) and the bot's own modals, signed just before each run."""

import json
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from bench.config import CHANNEL, Team, workspace
from bench.load import HOST
from bench.pyload import Sendable
from bench.seed import PERMISSIONS
from bench.signing import CONTENT_TYPE, JSON, sign
from bot.blocks import ids, modals
from tests.e2e.slack_requests import (
    click_payload,
    command_body,
    event_body,
    invite_values,
    submission_payload,
)

EMPTY = None
"""The marker of a bare ``ack()``: an empty body."""
REFUSED = "only the owner of"
"""Text of every refusal a member gets (``Sorry, only the owner of Bench Ltd can …``)."""
CHANGED_PERMISSIONS = (PERMISSIONS, PERMISSIONS[:2])
"""A member's permissions are set to these in turn, so most saves change something."""
REVOKE_LAG = 20
"""A revoke names the address invited this many invitations (about 500 requests) earlier in
the list, long enough for that invitation to have been made even when writes are slow."""
SEED = 13
"""The mix's order is shuffled the same way in every run."""


@dataclass(frozen=True)
class Build:
    """What one request of a kind needs: its number among the kind's requests, the run's tag
    (fresh addresses and event ids are unique per run), where the bot replies, and over how
    many workspaces the kind's requests are spread, in turn."""

    n: int
    tag: str
    response_url: str
    workspaces: int

    @property
    def team(self) -> Team:
        return workspace(self.n % self.workspaces)

    @property
    def round(self) -> int:
        """Requests of this kind its workspace was sent before this one."""
        return self.n // self.workspaces

    @property
    def member(self) -> tuple[str, str]:
        """The active user this request is about, in turn."""
        return self.team.member(self.round % self.team.active_users)

    def fresh(self, n: int) -> str:
        return f"mix-{self.tag}-{n:06d}@bench.example.com"


Body = tuple[str, str]
"""A body and its content type."""
Who = Callable[[Build], str]
"""Who sends a request: a Slack user of the build's workspace."""


def owner(build: Build) -> str:
    return build.team.owner


def first_member(build: Build) -> str:
    """The member who is refused: the workspace's first active user."""
    return build.team.member(0)[0]


def the_member(build: Build) -> str:
    return build.member[0]


@dataclass(frozen=True)
class Kind:
    name: str
    weight: int
    """Requests of this kind in every 100."""
    marker: str | None
    """Text the bot's answer must contain; ``EMPTY``: the body must be empty."""
    body: Callable[[Build], Body]
    write: bool = False


def command(who: Who, text: str) -> Callable[[Build], Body]:
    def body(build: Build) -> Body:
        user, team = who(build), build.team.id
        return command_body(
            user, text, build.response_url, channel=CHANNEL, team=team
        ), CONTENT_TYPE

    return body


def command_on_member(who: Who, verb: str) -> Callable[[Build], Body]:
    return lambda build: command(who, f"{verb} {build.member[1]}")(build)


def _interaction(payload: dict[str, Any]) -> Body:
    return urlencode({"payload": json.dumps(payload)}), CONTENT_TYPE


def home_click(who: Who, action_id: str, on_member: bool = False) -> Callable[[Build], Body]:
    """A button in the App Home of ``who`` (no conversation, no ``response_url``)."""

    def body(build: Build) -> Body:
        value = build.member[1] if on_member else ""
        team = build.team.id
        payload = click_payload(who(build), action_id, value, team=team, response_url=None)
        return _interaction(payload)

    return body


def home_opened(who: Who) -> Callable[[Build], Body]:
    def body(build: Build) -> Body:
        user = who(build)
        event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
        event_id = f"Ev{build.tag}{build.n:07d}{user}"  # unique across the kinds too
        return json.dumps(event_body(event, event_id=event_id, team=build.team.id)), JSON

    return body


def submit(who: Who, view: dict[str, Any], values: dict[str, Any], build: Build) -> Body:
    return _interaction(submission_payload(who(build), view, values, team=build.team.id))


def invite_submission(emails: Callable[[Build], str]) -> Callable[[Build], Body]:
    """The owner's Invite New User modal, saved with ``emails`` and one permission."""

    def body(build: Build) -> Body:
        values = invite_values(emails(build), ["invoices"])
        return submit(owner, modals.invite_modal(), values, build)

    return body


def permissions_submission(who: Who) -> Callable[[Build], Body]:
    """Manage Permissions of the build's member, saved by ``who``."""

    def body(build: Build) -> Body:
        email = build.member[1]
        chosen = CHANGED_PERMISSIONS[(build.round // build.team.active_users + 1) % 2]
        view = modals.permissions_modal(email, CHANGED_PERMISSIONS[0])
        values = {ids.PERMISSIONS_BLOCK: invite_values("", list(chosen))[ids.PERMISSIONS_BLOCK]}
        return submit(who, view, values, build)

    return body


def revoke(build: Build) -> Body:
    return command(owner, f"revoke {build.fresh(build.n)}")(build)


PENDING_LIST = "pending"
REVOKE = "revoke (write)"
INVITE = "invite submit (write)"
KINDS = (
    Kind("list", 12, "Users of", command(owner, "list")),
    Kind(PENDING_LIST, 6, "Pending invitations for", command(owner, "pending")),
    Kind("help", 5, "How to use", command(first_member, "help")),
    Kind("permissions", 4, EMPTY, command_on_member(owner, "permissions")),
    Kind("remove (confirm)", 3, "Remove access for", command_on_member(owner, "remove")),
    Kind("invite (opens modal)", 3, EMPTY, command(owner, "")),
    Kind("contacts", 2, "Contacts of", command(owner, "contacts")),
    Kind("audit", 2, "Recent changes to", command(owner, "audit")),
    Kind("settings", 1, EMPTY, command(owner, "settings")),
    Kind("member: list", 6, REFUSED, command(first_member, "list")),
    Kind("member: pending", 4, REFUSED, command(first_member, "pending")),
    Kind("member: permissions", 3, REFUSED, command_on_member(first_member, "permissions")),
    Kind("member: invite", 2, REFUSED, command(first_member, "")),
    Kind("home opened (owner)", 12, EMPTY, home_opened(owner)),
    Kind("home opened (member)", 12, EMPTY, home_opened(the_member)),
    Kind("click Manage", 4, EMPTY, home_click(owner, ids.MANAGE, on_member=True)),
    Kind("click Invite", 3, EMPTY, home_click(owner, ids.OPEN_INVITE)),
    Kind("member: click Manage", 3, EMPTY, home_click(first_member, ids.MANAGE, on_member=True)),
    Kind("invite submit (invalid)", 2, "errors", invite_submission(lambda b: "not-an-address")),
    Kind("member: permissions submit", 1, REFUSED, permissions_submission(first_member)),
    Kind(INVITE, 4, "update", invite_submission(lambda b: b.fresh(b.n)), write=True),
    Kind(REVOKE, 4, "was revoked", revoke, write=True),
    Kind("permissions submit (write)", 2, EMPTY, permissions_submission(owner), write=True),
)
BY_NAME = {kind.name: kind for kind in KINDS}


def schedule(count: int) -> list[Kind]:
    """``count`` kinds in a fixed shuffled order, each in its weight's share of every 100. A
    revoke comes only ``REVOKE_LAG`` invitations after the one it names; before that, the
    owner's ``pending`` stands in for it."""
    deck = [kind for kind in KINDS for _ in range(kind.weight)]
    random.Random(SEED).shuffle(deck)
    chosen, seen = [], Counter[str]()
    for position in range(count):
        kind = deck[position % len(deck)]
        if kind.name == REVOKE and seen[REVOKE] + REVOKE_LAG >= seen[INVITE]:
            kind = BY_NAME[PENDING_LIST]
        seen[kind.name] += 1
        chosen.append(kind)
    return chosen


def mix_bodies(count: int, tag: str, response_url: str, workspaces: int) -> list[tuple[Kind, Body]]:
    """The bodies of ``count`` requests in the mix's order, unsigned."""
    numbers = Counter[str]()
    bodies = []
    for kind in schedule(count):
        build = Build(numbers[kind.name], tag, response_url, workspaces)
        numbers[kind.name] += 1
        bodies.append((kind, kind.body(build)))
    return bodies


def build_mix(
    count: int, tag: str, response_url: str, workspaces: int, port: int, *, exact: bool
) -> list[Sendable]:
    """``count`` signed requests for the server on ``port``. ``exact``: each must be answered
    as the bot answers its kind; otherwise (the floor and the peer) any 200 will do."""
    sendables = []
    for kind, (body, content_type) in mix_bodies(count, tag, response_url, workspaces):
        payload = sign(body, content_type).http(HOST, port)
        expected = None if kind.marker is None else kind.marker.encode()
        sendables.append(Sendable(kind.name, payload, expected if exact else b""))
    return sendables


def write_share() -> float:
    """The share of the mix's requests that change something."""
    return sum(kind.weight for kind in KINDS if kind.write) / sum(k.weight for k in KINDS)
