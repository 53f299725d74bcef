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

from bench.config import ACTIVE_USERS, CHANNEL, OWNER, member, workspace
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
    (fresh addresses and event ids are unique per run) and where the bot replies."""

    n: int
    tag: str
    response_url: str
    workspaces: int

    @property
    def team(self) -> str:
        return workspace(self.n % self.workspaces)

    @property
    def member(self) -> tuple[str, str]:
        return member(self.n % ACTIVE_USERS)

    def fresh(self, n: int) -> str:
        return f"mix-{self.tag}-{n:06d}@bench.example.com"


Body = tuple[str, str]
"""A body and its content type."""


@dataclass(frozen=True)
class Kind:
    name: str
    weight: int
    """Requests of this kind in every 100."""
    marker: str | None
    """Text the bot's answer must contain; ``EMPTY``: the body must be empty."""
    body: Callable[[Build], Body]
    write: bool = False


def command(user: str, text: str) -> Callable[[Build], Body]:
    def body(build: Build) -> Body:
        sent = command_body(user, text, build.response_url, channel=CHANNEL, team=build.team)
        return sent, CONTENT_TYPE

    return body


def command_on_member(user: str, verb: str) -> Callable[[Build], Body]:
    return lambda build: command(user, f"{verb} {build.member[1]}")(build)


def _interaction(payload: dict[str, Any]) -> Body:
    return urlencode({"payload": json.dumps(payload)}), CONTENT_TYPE


def home_click(user: str, action_id: str, on_member: bool = False) -> Callable[[Build], Body]:
    """A button in ``user``'s App Home (no conversation, no ``response_url``)."""

    def body(build: Build) -> Body:
        value = build.member[1] if on_member else ""
        payload = click_payload(user, action_id, value, team=build.team, response_url=None)
        return _interaction(payload)

    return body


def home_opened(user: str) -> Callable[[Build], Body]:
    def body(build: Build) -> Body:
        event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
        event_id = f"Ev{build.tag}{build.n:07d}{user}"  # unique across the kinds too
        return json.dumps(event_body(event, event_id=event_id, team=build.team)), JSON

    return body


def submit(user: str, view: dict[str, Any], values: dict[str, Any], build: Build) -> Body:
    return _interaction(submission_payload(user, view, values, team=build.team))


def invite_submission(emails: Callable[[Build], str]) -> Callable[[Build], Body]:
    """The owner's Invite New User modal, saved with ``emails`` and one permission."""

    def body(build: Build) -> Body:
        values = invite_values(emails(build), ["invoices"])
        return submit(OWNER, modals.invite_modal(), values, build)

    return body


def permissions_submission(user: str) -> Callable[[Build], Body]:
    """Manage Permissions of the build's member, saved by ``user``."""

    def body(build: Build) -> Body:
        email = build.member[1]
        chosen = CHANGED_PERMISSIONS[(build.n // ACTIVE_USERS + 1) % 2]
        view = modals.permissions_modal(email, CHANGED_PERMISSIONS[0])
        values = {ids.PERMISSIONS_BLOCK: invite_values("", list(chosen))[ids.PERMISSIONS_BLOCK]}
        return submit(user, view, values, build)

    return body


def revoke(build: Build) -> Body:
    return command(OWNER, f"revoke {build.fresh(build.n)}")(build)


MEMBER = member(0)[0]
"""Members are the seeded active users; the owner's targets cycle through them."""
PENDING_LIST = "pending"
REVOKE = "revoke (write)"
INVITE = "invite submit (write)"
KINDS = (
    Kind("list", 12, "Users of", command(OWNER, "list")),
    Kind(PENDING_LIST, 6, "Pending invitations for", command(OWNER, "pending")),
    Kind("help", 5, "How to use", command(MEMBER, "help")),
    Kind("permissions", 4, EMPTY, command_on_member(OWNER, "permissions")),
    Kind("remove (confirm)", 3, "Remove access for", command_on_member(OWNER, "remove")),
    Kind("invite (opens modal)", 3, EMPTY, command(OWNER, "")),
    Kind("contacts", 2, "Contacts of", command(OWNER, "contacts")),
    Kind("audit", 2, "Recent changes to", command(OWNER, "audit")),
    Kind("settings", 1, EMPTY, command(OWNER, "settings")),
    Kind("member: list", 6, REFUSED, command(MEMBER, "list")),
    Kind("member: pending", 4, REFUSED, command(MEMBER, "pending")),
    Kind("member: permissions", 3, REFUSED, command_on_member(MEMBER, "permissions")),
    Kind("member: invite", 2, REFUSED, command(MEMBER, "")),
    Kind("home opened (owner)", 12, EMPTY, home_opened(OWNER)),
    Kind("home opened (member)", 12, EMPTY, lambda b: home_opened(b.member[0])(b)),
    Kind("click Manage", 4, EMPTY, home_click(OWNER, ids.MANAGE, on_member=True)),
    Kind("click Invite", 3, EMPTY, home_click(OWNER, ids.OPEN_INVITE)),
    Kind("member: click Manage", 3, EMPTY, home_click(MEMBER, ids.MANAGE, on_member=True)),
    Kind("invite submit (invalid)", 2, "errors", invite_submission(lambda b: "not-an-address")),
    Kind("member: permissions submit", 1, REFUSED, permissions_submission(MEMBER)),
    Kind(INVITE, 4, "update", invite_submission(lambda b: b.fresh(b.n)), write=True),
    Kind(REVOKE, 4, "was revoked", revoke, write=True),
    Kind("permissions submit (write)", 2, EMPTY, permissions_submission(OWNER), write=True),
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
