"""One deployment, many workspaces (issue 12): two workspaces install the bot through the real
OAuth flow against the stand-in Slack, and each is served with its own token only."""

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.scheduler import sweep_and_deliver
from tests.e2e.conftest import Running, serve_bot
from tests.e2e.oauth_steps import (
    ACME,
    BETA,
    CHANNELS,
    CLIENT_ID,
    CLIENT_SECRET,
    OWNERS,
    PUBLIC_URL,
    Browser,
    install,
    invite,
    new_key,
    serve_many,
    set_up,
    two_workspaces,
    users,
)
from tests.e2e.steps import drain, eventually
from tests.slack_stub import RecordedCall, SlackStub

ANA, BOB = "U0ANA", "U0BOB"
ANA_EMAIL, BOB_EMAIL = "ana@acme.example.com", "bob@beta.example.com"


@pytest.fixture
def many(engine: Engine, stub: SlackStub) -> Iterator[Running]:
    """Acme and Beta, each with an owner, a billing channel and one more person; the bot
    installed in neither yet."""
    two_workspaces(stub)
    stub.add_user(ANA, ANA_EMAIL, workspace=ACME)
    stub.add_user(BOB, BOB_EMAIL, workspace=BETA)
    with serve_many(engine, stub, new_key()) as running:
        yield running


@pytest.fixture
def installed(many: Running) -> Running:
    """Both installed, each with an account that invited its own person."""
    for team, email in ((ACME, ANA_EMAIL), (BETA, BOB_EMAIL)):
        assert install(many, team).status_code == 200
        set_up(many, team)
        invite(many, team, email)
    for team, user in ((ACME, ANA), (BETA, BOB)):
        _wait_for_dm(many.stub, team, user)
    drain(many.bot.deps.background)  # nothing left running to race the tests' own sweeps
    return many


def _wait_for_dm(stub: SlackStub, team: str, user: str) -> None:
    channel = stub.dm_channel(user, workspace=team)
    stub.wait_for(lambda _calls: bool(stub.messages(channel, workspace=team)))


def _api_calls(stub: SlackStub) -> list[RecordedCall]:
    return [call for call in stub.calls if call.method not in ("oauth.v2.access", "response_url")]


def test_each_workspace_is_served_with_its_own_token(installed: Running) -> None:
    calls = _api_calls(installed.stub)
    tokens = {team: {c.token for c in calls if c.team == team} for team in (ACME, BETA)}
    assert len(tokens[ACME]) == len(tokens[BETA]) == 1
    assert tokens[ACME] != tokens[BETA]
    assert all(call.ok for call in calls), [c for c in calls if not c.ok]
    for team, owner, email in ((ACME, OWNERS[ACME], ANA_EMAIL), (BETA, OWNERS[BETA], BOB_EMAIL)):
        asked = [c for c in calls if owner in (c.args.get("user"), c.args.get("user_id"))]
        assert asked and {c.team for c in asked} == {team}
        lookups = [c for c in calls if c.args.get("email") == email]
        assert lookups and {c.team for c in lookups} == {team}
    assert not installed.stub.messages(workspace="T0001")  # the stand-in's own workspace


def test_one_workspaces_people_are_not_visible_through_the_other(installed: Running) -> None:
    invite(installed, BETA, ANA_EMAIL)  # Ana is in Acme's workspace, not Beta's
    calls = installed.stub.wait_for(
        lambda calls: any(c.team == BETA and c.args.get("email") == ANA_EMAIL for c in calls)
    )
    [lookup] = [c for c in calls if c.team == BETA and c.args.get("email") == ANA_EMAIL]
    assert lookup.response.get("error") == "users_not_found"
    assert users(installed, BETA)[ANA_EMAIL]["status"] == "invited"
    assert users(installed, BETA)[ANA_EMAIL]["slack_user_id"] is None
    assert BOB_EMAIL not in users(installed, ACME)


def _reminders(stub: SlackStub, team: str) -> list[dict[str, object]]:
    return [m for m in stub.messages(CHANNELS[team], workspace=team) if "pending" in json.dumps(m)]


def test_a_dead_token_pauses_its_workspace_and_a_reinstall_sends_what_was_kept(
    installed: Running,
) -> None:
    core, deliverer, stub = installed.bot.deps.core, installed.bot.deps.deliverer, installed.stub
    old_token = {c.token for c in stub.calls if c.team == ACME}
    stub.uninstall(ACME)  # Slack's app_uninstalled event has not come (yet)
    stub.reset_calls()
    installed.clock.advance(timedelta(hours=25))
    sweep_and_deliver(core, deliverer)
    assert {c.response["error"] for c in stub.calls if c.team == ACME} == {"token_revoked"}
    assert _reminders(stub, BETA) and not _reminders(stub, ACME)
    account = core.accounts.require(ACME)
    assert account.slack_paused_at is not None
    assert core.audit.trail(ACME)[-1].action == "slack.paused"
    assert core.accounts.require(BETA).slack_paused_at is None

    stub.reset_calls()
    installed.clock.advance(timedelta(hours=25))
    sweep_and_deliver(core, deliverer)
    assert [c.team for c in stub.calls] == [BETA, BETA]  # Beta's reminder and nudge only

    assert install(installed, ACME).status_code == 200
    assert core.accounts.require(ACME).slack_paused_at is None
    drain(installed.bot.deps.background)
    sweep_and_deliver(core, deliverer)
    assert len(_reminders(stub, ACME)) == 2  # the one kept, and the one due since
    posted = [c for c in stub.calls if c.team == ACME and c.method == "chat.postMessage"]
    assert posted and all(c.ok and c.token not in old_token for c in posted)
    assert "slack.resumed" in [event.action for event in core.audit.trail(ACME)]


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT0001"]}},
    ],
    ids=["app_uninstalled", "tokens_revoked"],
)
def test_an_uninstall_deletes_the_tokens_and_pauses_only_that_workspace(
    installed: Running, engine: Engine, event: dict[str, object]
) -> None:
    core, stub = installed.bot.deps.core, installed.stub
    stub.uninstall(ACME)
    answer = installed.slack.event(event, team=ACME)
    assert answer.status_code == 200
    eventually(lambda: core.accounts.require(ACME).slack_paused_at is not None)
    assert core.audit.trail(ACME)[-1].detail == event["type"]
    with engine.connect() as connection:
        teams = connection.exec_driver_sql("SELECT team_id FROM slack_installation").scalars()
        assert list(teams) == [BETA]
    assert core.accounts.require(BETA).slack_paused_at is None
    stub.reset_calls()
    installed.clock.advance(timedelta(hours=25))
    sweep_and_deliver(core, installed.bot.deps.deliverer)
    assert {c.team for c in stub.calls} == {BETA}
    assert not [c for c in stub.failed_calls if c.team == ACME]
    assert _reminders(stub, BETA) and not _reminders(stub, ACME)

    assert install(installed, ACME).status_code == 200
    sweep_and_deliver(core, installed.bot.deps.deliverer)
    assert _reminders(stub, ACME)


def test_the_database_holds_no_token_in_plain_text(installed: Running, engine: Engine) -> None:
    tokens = {c.token for c in installed.stub.calls if c.token}
    assert tokens
    if engine.dialect.name == "sqlite":
        database = Path(str(engine.url.database))
        stored = b"".join(path.read_bytes() for path in database.parent.glob(f"{database.name}*"))
    else:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT * FROM slack_installation").all()
        stored = repr(rows).encode()
    assert stored
    assert not [token for token in tokens if token.encode() in stored]


@pytest.mark.parametrize(
    ("tamper", "says"),
    [
        ("no state", "did not come from an installation started in this browser"),
        ("another browser's state", "did not come from an installation started in this"),
        ("used state", "used already or has expired"),
        ("expired state", "used already or has expired"),
        ("bad code", "did not accept this installation"),
        ("access denied", "cancelled in Slack"),
    ],
)
def test_a_bad_callback_gets_a_clear_page_and_stores_nothing(
    many: Running, engine: Engine, tamper: str, says: str
) -> None:
    browser, other = Browser(many.base_url), Browser(many.base_url)
    link, other_link = browser.start(), other.start()
    code = many.stub.approve_install(
        ACME, redirect_uri=link["redirect_uri"], scopes=link["scope"], installer="U0X"
    )
    query = {"code": code, "state": link["state"]}
    if tamper == "no state":
        del query["state"]
    elif tamper == "another browser's state":
        query["state"] = other_link["state"]
    elif tamper == "used state":
        assert browser.finish(code="unused", state=link["state"]).status_code != 200
    elif tamper == "expired state":
        many.clock.advance(timedelta(minutes=11))
    elif tamper == "bad code":
        query["code"] = "not-a-code"
    else:
        query = {"error": "access_denied", "state": link["state"]}
    page = browser.finish(**query)
    assert page.status_code in (200, 400, 401)
    assert "was not installed" in page.text and says in page.text
    assert "Traceback" not in page.text
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM slack_installation").scalar() == 0


def test_a_workspace_without_an_installation_is_asked_to_install_quietly(
    many: Running, caplog: pytest.LogCaptureFixture
) -> None:
    answer = many.slack.command(OWNERS[ACME], "setup Acme Ltd", team=ACME)
    assert answer.status_code == 200
    many.stub.wait_for(lambda _calls: "reinstall" in json.dumps(many.stub.responses()))
    assert "Traceback" not in caplog.text
    assert many.bot.deps.core.accounts.find(ACME) is None
    assert not [c for c in many.stub.calls if c.team is not None]


def test_a_flow_started_on_one_replica_completes_on_another(
    engine: Engine, stub: SlackStub
) -> None:
    two_workspaces(stub)
    key = new_key()
    with serve_many(engine, stub, key) as first, serve_many(engine, stub, key) as second:
        assert first.bot.app.client.token is None  # no workspace's token is built in
        browser = Browser(first.base_url)
        link = browser.start()
        code = stub.approve_install(
            ACME, redirect_uri=link["redirect_uri"], scopes=link["scope"], installer=OWNERS[ACME]
        )
        finisher = Browser(second.base_url)
        finisher.cookie = browser.cookie  # the same browser, sent to the other replica
        assert finisher.finish(code=code, state=link["state"]).status_code == 200
        browser.close()
        finisher.close()
        set_up(first, ACME)
        assert first.bot.deps.core.accounts.require(ACME).name == f"{ACME} Ltd"


def test_a_callback_while_slack_cannot_be_reached_gets_a_clear_page(
    engine: Engine, stub: SlackStub, caplog: pytest.LogCaptureFixture
) -> None:
    with serve_bot(
        engine, stub, SLACK_BOT_TOKEN=None, SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET, SECRETS_KEY=new_key(), PUBLIC_URL=PUBLIC_URL,
        SLACK_API_URL="http://127.0.0.1:9/api/",  # nothing listens on the discard port
    ) as running:  # fmt: skip
        browser = Browser(running.base_url)
        page = browser.finish(code="a-code", state=browser.start()["state"])
    assert page.status_code == 503
    assert "Slack could not be reached" in page.text and "was not installed" in page.text
    assert "Traceback" not in caplog.text
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM slack_installation").scalar() == 0
