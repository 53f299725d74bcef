"""Slack's real request bodies, replayed: every payload of ``../shared/slack/replay_payloads``
(``original/`` as Slack's SDK teams recorded it, ``adapted/`` aimed at this bot), signed and
posted to the real app over HTTP (issue 15).

For each one: the answer is 200, or Bolt's quiet 404 for what the app does not handle; nothing
answers 5xx; nothing logs an ERROR or a traceback; and nothing changes for a team other than
the installed one (T0001): no row of another team's account is created, changed or deleted.

The bot is served once per database backend. The installed workspace is built once (an
account owned by U0OWNER with a member, a contact and pending invitations, each named by some
adapted payload) and put back exactly as it was before each post that changed it. The trigger
ids Slack's samples carry were exchanged long ago, so the stand-in Slack has them exchanged
already: a post that opens a modal with one meets ``exchanged_trigger_id``, whatever the order.
A payload whose id ends ``after-partner-setup`` finds T0PARTNER holding the account that a
foreign-team setup made before issue 15; it must not be touched either.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Connection, Engine, Row, Table, select, text
from sqlmodel import SQLModel

from storage.engine import make_engine
from storage.migrate import upgrade
from tests.e2e.conftest import OWNER, OWNER_EMAIL, Running, serve_bot
from tests.e2e.replay import (
    CORPUS_IDS,
    FOLDERS,
    Fill,
    Payload,
    corpus_ids_used,
    corpus_problem,
    load_corpus,
    render,
)
from tests.e2e.steps import drain
from tests.slack_stub import SlackStub

TEAM = "T0001"
ACCOUNT = "Acme Ltd"
CHANNEL = "C0BILLING"
MEMBER, MEMBER_EMAIL = "U0MEMBER", "member@acme.example.com"
INVITEE, INVITEE_EMAIL = "U0INVITEE", "invitee@acme.example.com"
JOINER, JOINER_EMAIL = "U0JOINER", "joiner@acme.example.com"
PENDING_EMAIL = "pending1@acme.example.com"  # invited; not in Slack yet
PARTNER, PARTNER_ADMIN, PARTNER_EMAIL = "T0PARTNER", "W0EXT", "ext@partner.example.com"
"""Another organisation, whose admin W0EXT is in a Slack Connect channel with Acme."""
CONTACT_EMAIL = "accounts@acme.example.com"
PROXIES = ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY")
SETTLE_SECONDS = 10.0
HANDLED = 200
UNHANDLED = 404  # Bolt's answer to a request no listener matches

PAYLOADS = load_corpus()

Rows = dict[str, dict[tuple[Any, ...], dict[str, Any]]]
"""Every row of every table, by table name and primary key."""


def test_the_corpus_is_there() -> None:
    problem = corpus_problem()
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    for folder in FOLDERS:
        assert any(p.folder == folder for p in PAYLOADS), f"no payloads in {folder}/"
    names = [p.name for p in PAYLOADS]
    assert len(names) == len(set(names))


def test_every_id_the_corpus_aims_at_the_bot_is_mapped() -> None:
    """A corpus id unknown here would fall through to Bolt's 404 and test nothing."""
    assert corpus_ids_used(PAYLOADS) - set(CORPUS_IDS) == set()


# The bot, served once per backend


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def replay_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "postgresql":
        engine: Engine = request.getfixturevalue("postgres_engine")
        tables = ", ".join(table.name for table in SQLModel.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield engine
        return
    engine = make_engine(f"sqlite:///{Path(tmp_path_factory.mktemp('replay')) / 'bot.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@dataclass
class Installed:
    """The bot installed in T0001, served, with the workspace as every post starts from it."""

    running: Running
    engine: Engine
    invitations: dict[str, int] = field(default_factory=dict)
    """The pending invitations' ids, by email (the corpus's ``@@INV:email@@``)."""
    baseline: Rows = field(default_factory=dict)

    @property
    def stub(self) -> SlackStub:
        return self.running.stub

    def rows(self) -> Rows:
        rows: Rows = {}
        with self.engine.connect() as connection:
            for table in SQLModel.metadata.sorted_tables:
                query = select(table).order_by(*table.primary_key.columns)
                rows[table.name] = {
                    _key(table, row): dict(row._mapping) for row in connection.execute(query)
                }
        return rows

    def reset(self) -> Rows:
        """Put every table back as it was after the set-up, if anything changed it."""
        current = self.rows()
        if current == self.baseline:
            return current
        if _but(current, "processed_event") == _but(self.baseline, "processed_event"):
            with self.engine.begin() as connection:  # an event was handled: forget its id
                connection.execute(SQLModel.metadata.tables["processed_event"].delete())
            return self.rows()
        with self.engine.begin() as connection, _append_only_audit_lifted(connection):
            tables = SQLModel.metadata.sorted_tables
            for table in reversed(tables):
                connection.execute(table.delete())
            for table in tables:
                rows = list(self.baseline[table.name].values())
                if rows:
                    connection.execute(table.insert(), rows)
        return self.rows()

    def settle(self) -> None:
        """Wait until the work the bot left for after its answers is done (work that leaves
        more work included: until a round sends Slack nothing new)."""
        background = self.running.bot.deps.background
        seen = -1
        for rounds in range(1, 50):
            drain(background)
            sent = len(self.stub.calls) + len(self.stub.failed_calls)
            if rounds > 1 and sent == seen:
                return
            seen = sent
        raise AssertionError("the bot kept working for 50 rounds")

    def fill(self) -> Fill:
        return Fill(response_url=self.stub.response_url, invitation_id=self.invitations.__getitem__)


def _but(rows: Rows, table: str) -> Rows:
    return {name: table_rows for name, table_rows in rows.items() if name != table}


@contextmanager
def _append_only_audit_lifted(connection: Connection) -> Iterator[None]:
    """Within the transaction of ``connection``: the triggers that keep the audit log
    append-only are off, so the test database can be rewound (migration 0004)."""
    if connection.dialect.name == "sqlite":
        query = (
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'trigger' AND tbl_name = 'audit_event'"
        )
        triggers = [(str(name), str(sql)) for name, sql in connection.exec_driver_sql(query)]
        for name, _sql in triggers:
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
        return
    connection.exec_driver_sql("ALTER TABLE audit_event DISABLE TRIGGER USER")
    yield
    connection.exec_driver_sql("ALTER TABLE audit_event ENABLE TRIGGER USER")


def _key(table: Table, row: Row[Any]) -> tuple[Any, ...]:
    return tuple(row._mapping[column.name] for column in table.primary_key.columns)


def _sample_triggers(payloads: list[Payload]) -> set[str]:
    """The trigger ids written into the samples (placeholders are filled fresh per post)."""
    found = {str(p.body.get("trigger_id")) for p in payloads if p.body.get("trigger_id")}
    return {trigger for trigger in found if "@@" not in trigger}


def _exchange(stub: SlackStub, triggers: set[str]) -> None:
    client = WebClient(token=stub.bot_token, base_url=stub.api_url)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Used"}, "blocks": []}
    for trigger in sorted(triggers):
        client.views_open(trigger_id=trigger, view=view)


def _install(running: Running) -> dict[str, int]:
    """Acme Ltd in T0001: the owner, a member (invoices), a contact, and pending invitations
    to an invitee (in Slack, sent), to pending1 (not in Slack yet), and to a joiner and
    Slack Connect's W0EXT (both unknown to Slack when invited, so team_join sends theirs)."""
    core = running.bot.deps.core
    core.accounts.setup(
        TEAM,
        ACCOUNT,
        actor=OWNER,
        actor_email=OWNER_EMAIL,
        actor_is_workspace_admin=True,
        channel_id=CHANNEL,
    )
    invited = core.invitations.invite(
        TEAM,
        actor=OWNER,
        emails=[MEMBER_EMAIL, INVITEE_EMAIL, PENDING_EMAIL, JOINER_EMAIL, PARTNER_EMAIL],
        permissions=["invoices"],
    ).invited
    invitations = {invitation.email: invitation.id for invitation in invited}
    member_invitation = invitations.pop(MEMBER_EMAIL)
    assert member_invitation is not None
    core.invitations.accept(TEAM, member_invitation, user_id=MEMBER, user_email=MEMBER_EMAIL)
    core.contacts.add(TEAM, actor=OWNER, email=CONTACT_EMAIL, name="Acme Accounts")
    running.bot.deps.deliverer.deliver_all()
    return {email: invitation_id for email, invitation_id in invitations.items() if invitation_id}


@pytest.fixture(scope="module")
def installed(replay_engine: Engine) -> Iterator[Installed]:
    root = logging.getLogger()
    level = root.level
    with pytest.MonkeyPatch.context() as patch, SlackStub(bot_token="xoxb-e2e-token") as stub:
        for name in PROXIES:  # slack_sdk honours HTTP(S)_PROXY but not NO_PROXY
            patch.delenv(name, raising=False)
        stub.add_user(OWNER, OWNER_EMAIL, is_admin=True)
        stub.add_user(MEMBER, MEMBER_EMAIL)
        stub.add_user(INVITEE, INVITEE_EMAIL)
        stub.add_channel(CHANNEL, "billing", bot_is_member=True)
        _exchange(stub, _sample_triggers(PAYLOADS))
        root.setLevel(logging.DEBUG)  # Bolt's loggers take the root's level when the app is made
        try:
            with serve_bot(replay_engine, stub) as running:
                world = Installed(running, replay_engine, _install(running))
                world.settle()
                stub.add_user(JOINER, JOINER_EMAIL)
                stub.add_user(PARTNER_ADMIN, PARTNER_EMAIL, is_admin=True, team_id=PARTNER)
                world.baseline = world.rows()
                yield world
        finally:
            root.setLevel(level)


# What some adapted payloads take for granted


def _partner_has_an_account(world: Installed) -> None:
    """The account a foreign-team setup made before issue 15 (its item 1), still there."""
    world.running.bot.deps.core.accounts.setup(
        PARTNER,
        "Partner Co",
        actor=PARTNER_ADMIN,
        actor_email=PARTNER_EMAIL,
        actor_is_workspace_admin=True,
        channel_id="C111",
    )
    world.running.bot.deps.deliverer.deliver_all()
    world.settle()


PRECONDITIONS: dict[str, Callable[[Installed], None]] = {
    "after-partner-setup": _partner_has_an_account,
}
"""By the end of an adapted payload's id: what must hold before it is posted."""


# What must hold after each post


def _team_of_rows(*snapshots: Rows) -> dict[Any, str]:
    return {row["id"]: row["team_id"] for rows in snapshots for row in rows["account"].values()}


def _foreign(rows: Rows, teams: dict[Any, str]) -> dict[tuple[str, tuple[Any, ...]], Any]:
    """The rows of every account of a team other than ours, by table and key."""
    found: dict[tuple[str, tuple[Any, ...]], Any] = {}
    for table, table_rows in rows.items():
        for key, row in table_rows.items():
            if table == "account":
                team = row["team_id"]
            elif "account_id" in row:
                team = teams.get(row["account_id"], f"account {row['account_id']}")
            else:
                continue  # processed_event: Slack's event ids, no team's data
            if team != TEAM:
                found[(table, key)] = (team, row)
    return found


def _short(row: dict[str, Any]) -> str:
    shown = {k: v for k, v in row.items() if v not in (None, "", [], {}) and k != "payload"}
    return repr(shown)[:240]


def foreign_changes(before: Rows, after: Rows) -> list[str]:
    teams = _team_of_rows(before, after)
    was, now = _foreign(before, teams), _foreign(after, teams)
    changes = []
    for (table, key), (team, row) in now.items():
        if (table, key) not in was:
            changes.append(f"{table} {key} created for {team}: {_short(row)}")
        elif was[(table, key)][1] != row:
            old = was[(table, key)][1]
            changed = {k: (old.get(k), v) for k, v in row.items() if old.get(k) != v}
            changes.append(f"{table} {key} of {team} changed: {changed}")
    for (table, key), (team, row) in was.items():
        if (table, key) not in now:
            changes.append(f"{table} {key} of {team} deleted: {_short(row)}")
    return changes


def log_problems(records: list[logging.LogRecord]) -> list[str]:
    problems = []
    for record in records:
        message = record.getMessage()
        traceback = record.exc_info is not None or "Traceback (most recent call last)" in message
        if record.levelno >= logging.ERROR or traceback:
            first = message.splitlines()[0] if message else ""
            exc = record.exc_info[1] if record.exc_info else None
            raised = f" [{type(exc).__name__}: {exc}]" if exc is not None else ""
            problems.append(f"logged {record.levelname} {record.name}: {first}{raised}")
    return problems


@pytest.mark.parametrize("payload", PAYLOADS, ids=lambda payload: payload.name)
def test_a_real_slack_request_is_answered_quietly_and_touches_no_other_team(
    installed: Installed, payload: Payload, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    installed.reset()
    for ending, precondition in PRECONDITIONS.items():
        if payload.folder == "adapted" and payload.id.endswith(ending):
            precondition(installed)
    before = installed.rows()
    installed.stub.reset_calls()
    caplog.clear()

    post = render(payload, installed.fill())
    response = installed.running.slack.post(post.body, post.content_type)
    installed.settle()
    after = installed.rows()

    problems = []
    if response.status_code not in (HANDLED, UNHANDLED):
        problems.append(f"answered {response.status_code}: {response.text[:200]!r}")
    problems += log_problems(caplog.records)
    problems += foreign_changes(before, after)
    assert not problems, f"{payload.name} ({payload.kind}):\n  " + "\n  ".join(problems)
