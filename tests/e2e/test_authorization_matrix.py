"""The authorization matrix (DESIGN §3): every command, button and modal submission, sent by
every kind of caller, through the real HTTP path.

Only what §3 allows may change anything: the owner does everything owner-only, users holding
`contacts` manage contacts, the invitee answers their own invitation, a workspace admin sets
up a workspace that has no account (so, here, nothing), and `help` is for everyone. Everything
else is refused with a message the caller sees, and leaves the database and the audit log
exactly as they were.

The bot is served once per database backend (starting uvicorn and migrating a database takes
longer than a whole case); each case gets a world of its own: the bot serves only its own
workspace, so the previous case's account is moved to a team of its own, and the new account's
version starts where no earlier one reached, so nothing a case does can leak into the next one.
"""

import itertools
import json
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine, select, text
from sqlmodel import SQLModel

from bot.blocks import ids, modals
from bot.core import DEFAULT_TIMINGS
from storage.engine import make_engine
from storage.migrate import upgrade
from tests.e2e.conftest import API_TOKEN, OWNER, OWNER_EMAIL, SECRET, Running, serve_bot
from tests.e2e.slack_requests import (
    click_payload,
    command_body,
    invite_values,
    submission_payload,
)
from tests.e2e.steps import ACCOUNT, drain
from tests.slack_stub import TEAM_ID, SlackStub
from tests.slack_stub.server import RESPONSE_URL_METHOD, RecordedCall

ANA = "ana@example.com"
CY = "cy@example.com"
ROB = "rob@example.com"
IVY = "ivy@example.com"
LEE = "lee@example.com"
NEW = "new@example.com"
IVY_WOULD_GET = ["contacts", "invoices"]
CHANNEL = "C0BILLING"
NEW_CHANNEL = "C0NEWBILLING"
FORM = "application/x-www-form-urlencoded"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")
_teams = itertools.count(1)


# The callers


@dataclass(frozen=True)
class Caller:
    name: str
    user_id: str
    email: str
    is_admin: bool = False


THE_OWNER = Caller("owner", OWNER, OWNER_EMAIL, is_admin=True)
USER = Caller("user", "U0ANA", ANA)  # active, holds invoices
CONTACTS_USER = Caller("contacts-user", "U0CY", CY)  # active, holds contacts
REMOVED = Caller("removed", "U0ROB", ROB)  # held contacts and invoices, then was removed
INVITEE = Caller("invitee", "U0IVY", IVY)  # pending invitation that would grant contacts
STRANGER = Caller("stranger", "U0EVE", "eve@example.com")
ADMIN = Caller("workspace-admin", "U0ADA", "ada@example.com", is_admin=True)
CALLERS = (THE_OWNER, USER, CONTACTS_USER, REMOVED, INVITEE, STRANGER, ADMIN)
EVERYONE = frozenset(caller.name for caller in CALLERS)


# The bot, served once per backend


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def matrix_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated database of each backend, shared by the module's cases (each its own team)."""
    if request.param == "postgresql":
        engine: Engine = request.getfixturevalue("postgres_engine")
        tables = ", ".join(table.name for table in SQLModel.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield engine
        return
    engine = make_engine(f"sqlite:///{Path(tmp_path_factory.mktemp('matrix')) / 'bot.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def served(matrix_engine: Engine) -> Iterator[Running]:
    """The real Bolt app on uvicorn against the stand-in Slack, as ``running`` builds it."""
    with pytest.MonkeyPatch.context() as patch, SlackStub(bot_token="xoxb-e2e-token") as stub:
        for name in PROXIES:  # slack_sdk honours HTTP(S)_PROXY but not NO_PROXY
            patch.delenv(name, raising=False)
        for caller in CALLERS:
            stub.add_user(caller.user_id, caller.email, is_admin=caller.is_admin)
        for channel in (CHANNEL, NEW_CHANNEL):
            stub.add_channel(channel, channel.lower(), bot_is_member=True)
        with serve_bot(matrix_engine, stub) as running:
            yield running


# The world of one case


@dataclass(frozen=True)
class Snapshot:
    """What a refused request must leave exactly as it was."""

    access: dict[str, dict[str, Any]]
    """The access API's answer for every email the account knows, by email."""
    contacts: list[tuple[str, str]]
    settings: tuple[str, str, str, timedelta, timedelta, timedelta]
    audit: list[tuple[str, str, str]]
    """The audit trail, oldest first: (actor, action, target)."""
    rows: dict[str, list[tuple[Any, ...]]]
    """Every row of the account, table by table (outbox included)."""


@dataclass(frozen=True)
class Sent:
    """A request sent as a caller, and Slack's answer to it."""

    response: httpx.Response
    trigger_id: str

    @property
    def ack(self) -> dict[str, Any] | None:
        return dict(self.response.json()) if self.response.content else None


class Via(Enum):
    """The ways a caller can be shown something."""

    ACK = "the ack body"
    RESPONSE_URL = "the response_url"
    MODAL = "a modal opened with the request's trigger"


@dataclass(frozen=True)
class World:
    """Acme Ltd in a workspace of its own: the owner; Ana (invoices), Cy (contacts) and Rob
    (removed) who accepted; Ivy, invited; the contact Lee."""

    served: Running
    engine: Engine
    http: httpx.Client
    team: str
    account_id: int
    ivy_invitation: int

    @property
    def stub(self) -> SlackStub:
        return self.served.stub

    def command(self, caller: Caller, command_text: str) -> Sent:
        body = command_body(
            caller.user_id,
            command_text,
            self.stub.response_url("matrix"),
            channel=CHANNEL,
            team=self.team,
        )
        return Sent(self.post(body), parse_qs(body)["trigger_id"][0])

    def click(self, caller: Caller, action_id: str, value: str, *, in_home: bool) -> Sent:
        response_url = None if in_home else self.stub.response_url("matrix")
        payload = click_payload(
            caller.user_id, action_id, value, team=self.team, response_url=response_url
        )
        return Sent(self.interact(payload), str(payload["trigger_id"]))

    def submit(self, caller: Caller, view: dict[str, Any], values: dict[str, Any]) -> Sent:
        payload = submission_payload(caller.user_id, view, values, team=self.team)
        return Sent(self.interact(payload), str(payload["trigger_id"]))

    def interact(self, payload: dict[str, Any]) -> httpx.Response:
        return self.post(urlencode({"payload": json.dumps(payload)}))

    def post(self, body: str) -> httpx.Response:
        """Sign ``body`` as Slack does and send it, as ``SlackDriver.post`` does but on one
        kept-alive client (a new httpx client per request costs ~70 ms: its SSL context)."""
        timestamp = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
        headers = {
            "Content-Type": FORM,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": str(signature),
        }
        return self.http.post(f"{self.served.base_url}/slack/events", content=body, headers=headers)

    def snapshot(self) -> Snapshot:
        core = self.served.bot.deps.core
        listed = self.http.get(
            f"{self.served.base_url}/api/v1/teams/{self.team}/users",
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )
        assert listed.status_code == 200, listed.text
        account = core.accounts.require(self.team)
        timings = core.accounts.timings(account)
        return Snapshot(
            access={user["email"]: user for user in listed.json()},
            contacts=[(c.email, c.name) for c in core.contacts.list(self.team, actor=OWNER)],
            settings=(
                account.name,
                account.owner_user_id,
                account.reminders_channel_id,
                timings.reminder_first_after,
                timings.reminder_repeat_every,
                timings.invite_expires_after,
            ),
            audit=[(e.actor_user_id, e.action, e.target) for e in core.audit.trail(self.team)],
            rows=self._rows(),
        )

    def _rows(self) -> dict[str, list[tuple[Any, ...]]]:
        rows: dict[str, list[tuple[Any, ...]]] = {}
        with self.engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                if "account_id" in table.c:
                    mine = table.c.account_id == self.account_id
                elif table.name == "account":
                    mine = table.c.id == self.account_id
                else:
                    continue  # processed_event: Slack event ids, not the account's
                query = select(table).where(mine).order_by(*table.primary_key.columns)
                rows[table.name] = [tuple(row) for row in connection.execute(query)]
        return rows

    def shown(self, calls: list[RecordedCall], sent: Sent) -> dict[Via, list[Any]]:
        """What reached the caller in answer to ``sent``, by way."""
        return {
            Via.ACK: [sent.ack] if sent.ack else [],
            Via.RESPONSE_URL: [c.args for c in calls if c.method == RESPONSE_URL_METHOD],
            Via.MODAL: [
                c.args.get("view")
                for c in calls
                if c.method == "views.open" and c.args.get("trigger_id") == sent.trigger_id
            ],
        }

    def wait_until_shown(self, sent: Sent, ways: tuple[Via, ...]) -> str:
        """Wait until something reached the caller one of ``ways``; return it all as JSON."""
        try:
            calls = self.stub.wait_for(
                lambda calls: any(self.shown(calls, sent)[way] for way in ways)
            )
        except TimeoutError:
            calls = self.stub.calls
            shown = self.shown(calls, sent)
            raise AssertionError(
                f"nothing reached the caller via {[w.value for w in ways]}; "
                f"ack={sent.response.text!r}; shown otherwise={shown}; "
                f"calls={[c.method for c in calls]}"
            ) from None
        shown = self.shown(calls, sent)
        return json.dumps([shown[way] for way in ways])


def _retire_the_previous_account(engine: Engine, case: int) -> None:
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE account SET team_id = :retired WHERE team_id = :team"),
            {"retired": f"T0RETIRED{case:05d}", "team": TEAM_ID},
        )


def _start_versions_afresh(engine: Engine, team: str, case: int) -> None:
    """Past every version an earlier case's account reached, so no reply the bot kept for
    one of them (kept by team and version) can answer for this one."""
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE account SET version = version + :base WHERE team_id = :team"),
            {"base": case * 100_000, "team": team},
        )


def build_world(served: Running, engine: Engine, http: httpx.Client) -> World:
    """The world of §3's callers, built with the core (fast). What the core owes Slack is
    delivered once, at the end: Ivy gets her invitation DM, the owner the outcomes, Rob the
    news of his removal (the others accepted before their DMs went out, which saves time)."""
    core = served.bot.deps.core
    team = TEAM_ID
    case = next(_teams)
    _retire_the_previous_account(engine, case)
    account = core.accounts.setup(
        team,
        ACCOUNT,
        actor=OWNER,
        actor_email=OWNER_EMAIL,
        actor_is_workspace_admin=True,
        channel_id=CHANNEL,
    )
    invitations = {
        caller: core.invitations.invite(
            team, actor=OWNER, emails=[caller.email], permissions=permissions
        ).invited[0]
        for caller, permissions in (
            (USER, ["invoices"]),
            (CONTACTS_USER, ["contacts"]),
            (REMOVED, ["contacts", "invoices"]),
            (INVITEE, IVY_WOULD_GET),
        )
    }
    for caller in (USER, CONTACTS_USER, REMOVED):
        invitation_id = invitations[caller].id
        assert invitation_id is not None
        core.invitations.accept(
            team, invitation_id, user_id=caller.user_id, user_email=caller.email
        )
    _start_versions_afresh(engine, team, case)
    core.members.remove_access(team, actor=OWNER, email=ROB)
    core.contacts.add(team, actor=OWNER, email=LEE, name="Lee Accountant")
    served.bot.deps.deliverer.deliver_due()
    ivy_invitation = invitations[INVITEE].id
    assert account.id is not None and ivy_invitation is not None
    return World(served, engine, http, team, account.id, ivy_invitation)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def world(served: Running, matrix_engine: Engine, http: httpx.Client) -> World:
    drain(served.bot.deps.background)  # what the previous case left running is done
    built = build_world(served, matrix_engine, http)
    drain(served.bot.deps.background)
    served.stub.reset_calls()  # the previous case has settled; what follows is this case's
    return built


# What each action should do for those it is allowed to


@dataclass(frozen=True)
class Shows:
    """An allowed caller is shown something ``via`` some way, with each of ``texts`` in it,
    and nothing changes."""

    via: Via
    texts: tuple[str, ...]


def shows(via: Via, *texts: str) -> Shows:
    return Shows(via, texts)


def modal(callback_id: str) -> str:
    """How a modal's callback_id reads in the JSON of what was shown."""
    return f'"callback_id": "{callback_id}"'


Check = Callable[[Snapshot], None]


@dataclass(frozen=True)
class Changes:
    """An allowed caller's request records one audit ``event`` on ``target`` and ``check``
    holds; no one's access changes but ``target``'s. ``settled`` is the last thing the bot
    sends Slack when it is done with the request."""

    event: str
    target: str
    check: Check
    settled: Callable[[list[RecordedCall]], bool]


def home_published(user_id: str) -> Callable[[list[RecordedCall]], bool]:
    def published(calls: list[RecordedCall]) -> bool:
        return any(c.method == "views.publish" and c.args.get("user_id") == user_id for c in calls)

    return published


def done_when_acked(_calls: list[RecordedCall]) -> bool:
    return True


def has_access(email: str, status: str, permissions: list[str]) -> Check:
    def check(after: Snapshot) -> None:
        access = after.access[email]
        assert (access["status"], access["permissions"]) == (status, permissions), access

    return check


def is_contact(email: str, expected: bool) -> Check:
    def check(after: Snapshot) -> None:
        assert (email in {e for e, _ in after.contacts}) is expected, after.contacts

    return check


def is_invited(email: str, permissions: list[str]) -> Check:
    def check(after: Snapshot) -> None:
        access = after.access[email]
        assert access["status"] == "invited", access
        assert access["invitation"]["permissions"] == permissions, access

    return check


def new_settings(after: Snapshot) -> None:
    assert after.settings[2:] == (
        NEW_CHANNEL,
        timedelta(hours=2),
        timedelta(hours=12),
        timedelta(days=3),
    ), after.settings


# The actions


class Surface(Enum):
    COMMAND = "cmd"
    MESSAGE_BUTTON = "msg"
    HOME_BUTTON = "home"
    SUBMISSION = "submit"


REFUSED_VIA: Mapping[Surface, tuple[Via, ...]] = {
    Surface.COMMAND: (Via.ACK,),
    Surface.MESSAGE_BUTTON: (Via.RESPONSE_URL,),
    Surface.HOME_BUTTON: (Via.MODAL,),
    Surface.SUBMISSION: (Via.ACK,),
}

OWNER_ONLY = "only the owner of Acme Ltd can"
CONTACTS_ONLY = "only the owner of Acme Ltd and people allowed to View &amp; Manage Contacts"
NOT_YOURS = "this invitation is addressed to someone else"
ADMINS_ONLY = "only a Slack workspace admin or owner can set up"
EXISTS = "This workspace already has a billing account, Acme Ltd. Nothing was changed."


@dataclass(frozen=True)
class Action:
    name: str
    surface: Surface
    send: Callable[[World, Caller], Sent]
    allowed: frozenset[str]
    outcome: Shows | Changes | None
    refusal: str
    """What a refused caller is told (a part of it)."""
    refusal_to_admins: str | None = None
    refused_via: tuple[Via, ...] | None = None

    @property
    def id(self) -> str:
        return f"{self.surface.value}-{self.name}"

    def refusal_for(self, caller: Caller) -> str:
        if caller.is_admin and self.refusal_to_admins is not None:
            return self.refusal_to_admins
        return self.refusal

    def refusal_ways(self) -> tuple[Via, ...]:
        return self.refused_via or REFUSED_VIA[self.surface]


def command(name: str, command_text: str, allowed: frozenset[str], **kwargs: Any) -> Action:
    def send(world: World, caller: Caller) -> Sent:
        return world.command(caller, command_text)

    return Action(name, Surface.COMMAND, send, allowed, **kwargs)


def button(
    name: str,
    action_id: str,
    value: Callable[[World], str],
    allowed: frozenset[str],
    *,
    in_home: bool,
    **kwargs: Any,
) -> Action:
    def send(world: World, caller: Caller) -> Sent:
        return world.click(caller, action_id, value(world), in_home=in_home)

    surface = Surface.HOME_BUTTON if in_home else Surface.MESSAGE_BUTTON
    return Action(name, surface, send, allowed, **kwargs)


def submission(
    name: str,
    view: Callable[[], dict[str, Any]],
    values: dict[str, Any],
    allowed: frozenset[str],
    **kwargs: Any,
) -> Action:
    def send(world: World, caller: Caller) -> Sent:
        return world.submit(caller, view(), values)

    return Action(name, Surface.SUBMISSION, send, allowed, **kwargs)


def checkboxes(*keys: str) -> dict[str, Any]:
    chosen = [{"text": {"type": "plain_text", "text": key}, "value": key} for key in keys]
    return {ids.PERMISSIONS_INPUT: {"type": "checkboxes", "selected_options": chosen}}


def typed(action_id: str, value: str) -> dict[str, Any]:
    return {action_id: {"type": "plain_text_input", "value": value}}


PERMISSIONS_VALUES = {  # invoices and quotes are both in the second group of checkboxes
    ids.PERMISSIONS_BLOCK: checkboxes(),
    ids.PERMISSIONS_MORE_BLOCK: checkboxes("invoices", "quotes"),
}
SETTINGS_VALUES = {
    ids.CHANNEL_BLOCK: {
        ids.CHANNEL_INPUT: {"type": "conversations_select", "selected_conversation": NEW_CHANNEL}
    },
    ids.FIRST_BLOCK: typed(ids.FIRST_INPUT, "2h"),
    ids.REPEAT_BLOCK: typed(ids.REPEAT_INPUT, "12h"),
    ids.EXPIRY_BLOCK: typed(ids.EXPIRY_INPUT, "3d"),
}

OWNER_ALONE = frozenset({THE_OWNER.name})
CONTACT_MANAGERS = frozenset({THE_OWNER.name, CONTACTS_USER.name})
THE_INVITEE = frozenset({INVITEE.name})
NOBODY: frozenset[str] = frozenset()


def _ana(_world: World) -> str:
    return ANA


def _ivy(_world: World) -> str:
    return IVY


def _ivy_invitation(world: World) -> str:
    return str(world.ivy_invitation)


def _owner_buttons(in_home: bool) -> list[Action]:
    """The buttons of the owner's App Home and of the lists and reminders in messages."""
    removed = Changes(
        "access.removed", ANA, has_access(ANA, "removed", []), home_published(USER.user_id)
    )
    resent = Changes(
        "invitation.resent", IVY, is_invited(IVY, IVY_WOULD_GET), home_published(OWNER)
    )
    revoked = Changes(
        "invitation.revoked", IVY, has_access(IVY, "revoked", []), home_published(OWNER)
    )
    return [
        button(
            "manage",
            ids.MANAGE,
            _ana,
            OWNER_ALONE,
            in_home=in_home,
            outcome=shows(Via.MODAL, modal(ids.PERMISSIONS_MODAL), ANA),
            refusal=OWNER_ONLY,
        ),
        button(
            "remove",
            ids.REMOVE,
            _ana,
            OWNER_ALONE,
            in_home=in_home,
            outcome=removed,
            refusal=OWNER_ONLY,
        ),
        button(
            "resend",
            ids.RESEND,
            _ivy,
            OWNER_ALONE,
            in_home=in_home,
            outcome=resent,
            refusal=OWNER_ONLY,
        ),
        button(
            "revoke",
            ids.REVOKE,
            _ivy,
            OWNER_ALONE,
            in_home=in_home,
            outcome=revoked,
            refusal=OWNER_ONLY,
        ),
    ]


ACTIONS: list[Action] = [
    # Every verb of /billing-invite.
    command(
        "invite",
        "",
        OWNER_ALONE,
        outcome=shows(Via.MODAL, modal(ids.INVITE_MODAL)),
        refusal=OWNER_ONLY,
    ),
    command(
        "invite-emails",
        f"{NEW} other@example.com",
        OWNER_ALONE,
        outcome=shows(Via.MODAL, modal(ids.INVITE_MODAL), NEW),
        refusal=OWNER_ONLY,
    ),
    command(
        "list",
        "list",
        OWNER_ALONE,
        outcome=shows(Via.ACK, "Users of Acme Ltd", ANA, IVY),
        refusal=OWNER_ONLY,
    ),
    command(
        "pending",
        "pending",
        OWNER_ALONE,
        outcome=shows(Via.ACK, "Pending invitations for Acme Ltd", IVY),
        refusal=OWNER_ONLY,
    ),
    command(
        "permissions",
        f"permissions {ANA}",
        OWNER_ALONE,
        outcome=shows(Via.MODAL, modal(ids.PERMISSIONS_MODAL), ANA),
        refusal=OWNER_ONLY,
    ),
    command(  # only asks to confirm: the Remove Access button does it
        "remove",
        f"remove {ANA}",
        OWNER_ALONE,
        outcome=shows(Via.ACK, "Remove access for", ids.REMOVE),
        refusal=OWNER_ONLY,
    ),
    command(
        "resend",
        f"resend {IVY}",
        OWNER_ALONE,
        outcome=Changes(
            "invitation.resent", IVY, is_invited(IVY, IVY_WOULD_GET), home_published(OWNER)
        ),
        refusal=OWNER_ONLY,
    ),
    command(
        "revoke",
        f"revoke {IVY}",
        OWNER_ALONE,
        outcome=Changes(
            "invitation.revoked", IVY, has_access(IVY, "revoked", []), home_published(OWNER)
        ),
        refusal=OWNER_ONLY,
    ),
    command(
        "contacts", "contacts", CONTACT_MANAGERS, outcome=shows(Via.ACK, LEE), refusal=CONTACTS_ONLY
    ),
    command(
        "contact-add",
        f"contact add {NEW} New Person",
        CONTACT_MANAGERS,
        outcome=Changes("contact.added", NEW, is_contact(NEW, True), home_published(OWNER)),
        refusal=CONTACTS_ONLY,
    ),
    command(
        "contact-remove",
        f"contact remove {LEE}",
        CONTACT_MANAGERS,
        outcome=Changes("contact.removed", LEE, is_contact(LEE, False), home_published(OWNER)),
        refusal=CONTACTS_ONLY,
    ),
    command(  # the account exists: nobody may create another one
        "setup",
        "setup Evil Corp",
        NOBODY,
        outcome=None,
        refusal=ADMINS_ONLY,
        refusal_to_admins=EXISTS,
        # setup asks Slack who the caller is (users.info) before deciding, so it acks at once
        # and answers through the response_url.
        refused_via=(Via.RESPONSE_URL,),
    ),
    command(
        "settings",
        "settings",
        OWNER_ALONE,
        outcome=shows(Via.MODAL, modal(ids.SETTINGS_MODAL)),
        refusal=OWNER_ONLY,
    ),
    command(
        "audit",
        "audit",
        OWNER_ALONE,
        outcome=shows(Via.ACK, "Recent changes to Acme Ltd"),
        refusal=OWNER_ONLY,
    ),
    command(
        "help", "help", EVERYONE, outcome=shows(Via.ACK, "/billing-invite pending"), refusal=""
    ),
    # Every button: Accept and Decline are only ever in the invitee's DM, Invite New User only
    # in the owner's App Home, the others both in App Home and in messages.
    button(
        "accept",
        ids.ACCEPT,
        _ivy_invitation,
        THE_INVITEE,
        in_home=False,
        outcome=Changes(
            "invitation.accepted",
            IVY,
            has_access(IVY, "active", IVY_WOULD_GET),
            home_published(INVITEE.user_id),
        ),
        refusal=NOT_YOURS,
    ),
    button(
        "decline",
        ids.DECLINE,
        _ivy_invitation,
        THE_INVITEE,
        in_home=False,
        outcome=Changes(
            "invitation.declined",
            IVY,
            has_access(IVY, "declined", []),
            home_published(INVITEE.user_id),
        ),
        refusal=NOT_YOURS,
    ),
    button(
        "open-invite",
        ids.OPEN_INVITE,
        lambda _world: "",
        OWNER_ALONE,
        in_home=True,
        outcome=shows(Via.MODAL, modal(ids.INVITE_MODAL)),
        refusal=OWNER_ONLY,
    ),
    *_owner_buttons(in_home=False),
    *_owner_buttons(in_home=True),
    # Every modal submission.
    submission(
        "invite",
        modals.invite_modal,
        invite_values(NEW, ["invoices"]),
        OWNER_ALONE,
        outcome=Changes(
            "invitation.created", NEW, is_invited(NEW, ["invoices"]), home_published(OWNER)
        ),
        refusal=OWNER_ONLY,
    ),
    submission(
        "permissions",
        lambda: modals.permissions_modal(ANA, ["invoices"]),
        PERMISSIONS_VALUES,
        OWNER_ALONE,
        outcome=Changes(
            "permissions.changed",
            ANA,
            has_access(ANA, "active", ["invoices", "quotes"]),
            home_published(USER.user_id),
        ),
        refusal=OWNER_ONLY,
    ),
    submission(
        "settings",
        lambda: modals.settings_modal(CHANNEL, DEFAULT_TIMINGS),
        SETTINGS_VALUES,
        OWNER_ALONE,
        outcome=Changes("settings.changed", "", new_settings, done_when_acked),
        refusal=OWNER_ONLY,
    ),
]

CASES = [
    pytest.param(action, caller, id=f"{action.id}--{caller.name}")
    for action in ACTIONS
    for caller in CALLERS
]


@pytest.mark.parametrize(("action", "caller"), CASES)
def test_only_what_design_allows_changes_anything(
    world: World, action: Action, caller: Caller
) -> None:
    before = world.snapshot()
    sent = action.send(world, caller)
    assert sent.response.status_code == 200, sent.response.text

    if caller.name not in action.allowed:
        shown = world.wait_until_shown(sent, action.refusal_ways())
        assert action.refusal_for(caller) in shown, shown
        if action.surface is Surface.SUBMISSION:
            assert sent.ack is not None and "response_action" in sent.ack, sent.ack
        opened = world.shown(world.stub.calls, sent)[Via.MODAL]
        assert {view.get("callback_id") for view in opened} <= {ids.NOTICE_MODAL}, opened
        assert world.snapshot() == before
        return

    outcome = action.outcome
    if isinstance(outcome, Shows):
        shown = world.wait_until_shown(sent, (outcome.via,))
        assert all(text in shown for text in outcome.texts), (outcome.texts, shown)
        assert "Sorry" not in shown, shown
        assert world.snapshot() == before
        return

    assert isinstance(outcome, Changes)
    calls = world.stub.wait_for(outcome.settled)
    after = world.snapshot()
    everything_shown = json.dumps(list(world.shown(calls, sent).values()))
    assert "Sorry" not in everything_shown, everything_shown
    assert after.audit[: len(before.audit)] == before.audit
    assert after.audit[len(before.audit) :] == [(caller.user_id, outcome.event, outcome.target)]
    outcome.check(after)
    untouched = {email: a for email, a in after.access.items() if email != outcome.target}
    assert untouched == {e: a for e, a in before.access.items() if e != outcome.target}
