"""Installations in the database: tokens sealed under SECRETS_KEY (and its rotation), Enterprise
Grid installs looked up as Bolt does, authorisation cached, refreshed tokens shared by
replicas."""

import pytest
from cryptography.fernet import Fernet
from slack_bolt import BoltContext
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine, text

from bot.core import BillingAccess
from bot.settings import SettingsError, load_settings
from bot.slack.client import NotInstalled
from bot.slack.installations import DatabaseInstallationStore
from bot.slack.setup import WRONG_KEY, slack_for
from bot.slack.workspaces import InstalledWorkspaces
from storage.secrets import Cipher, WrongKey
from storage.unit_of_work import unit_of_work_factory
from tests.conftest import FakeClock
from tests.slack_stub import SlackStub

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
CLIENT_ID, CLIENT_SECRET = "1111.2222", "client-secret"


def _store(engine: Engine, *keys: str) -> DatabaseInstallationStore:
    return DatabaseInstallationStore(unit_of_work_factory(engine), Cipher(keys), FakeClock())


def _installation(team_id: str | None = "T0ACME", **fields: object) -> Installation:
    values: dict[str, object] = {
        "app_id": "A1",
        "team_id": team_id,
        "bot_token": f"xoxb-{team_id}-secret",
        "bot_id": "B1",
        "bot_user_id": "U0BOT",
        "bot_scopes": ["chat:write", "commands"],
        "user_id": "U0ADMIN",
        **fields,
    }
    return Installation(**values)  # type: ignore[arg-type]


def _sealed(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT tokens FROM slack_installation")).scalar_one())


def test_an_installation_is_stored_sealed_and_read_back(engine: Engine) -> None:
    store = _store(engine, NEW)
    store.save(_installation(bot_refresh_token="xoxe-1-refresh", bot_token_expires_in=43200))
    found = store.find_installation(enterprise_id=None, team_id="T0ACME")
    assert found is not None
    assert (found.bot_token, found.bot_refresh_token) == ("xoxb-T0ACME-secret", "xoxe-1-refresh")
    assert found.bot_scopes == ["chat:write", "commands"] and found.bot_user_id == "U0BOT"
    assert "secret" not in _sealed(engine) and "refresh" not in _sealed(engine)
    assert store.find_installation(enterprise_id=None, team_id="T0OTHER") is None


def test_rows_written_under_the_old_key_are_read_once_a_new_key_comes_first(
    engine: Engine,
) -> None:
    _store(engine, OLD).save(_installation())
    rotated = _store(engine, NEW, OLD)
    rotated.check_key()
    found = rotated.find_installation(enterprise_id=None, team_id="T0ACME")
    assert found is not None and found.bot_token == "xoxb-T0ACME-secret"
    rotated.save(found)  # written again: now under the new key only
    assert _store(engine, NEW).find_bot(enterprise_id=None, team_id="T0ACME") is not None
    with pytest.raises(WrongKey):
        _store(engine, OLD).check_key()


def test_start_up_with_a_key_that_cannot_read_the_tokens_is_one_line(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(engine, OLD).save(_installation())
    settings = load_settings(
        SLACK_CLIENT_ID=CLIENT_ID, SLACK_CLIENT_SECRET=CLIENT_SECRET, SECRETS_KEY=NEW,
        PUBLIC_URL="https://billing.example.com", SLACK_BOT_TOKEN=None,
    )  # fmt: skip
    uow = unit_of_work_factory(engine)
    with pytest.raises(SettingsError) as caught:
        slack_for(settings, uow, BillingAccess.create(uow), FakeClock())
    assert str(caught.value) == WRONG_KEY


def test_an_organisation_wide_install_serves_its_workspaces_as_bolt_looks_them_up(
    engine: Engine,
) -> None:
    store = _store(engine, NEW)
    org = _installation(None, enterprise_id="E0ORG", is_enterprise_install=True)
    store.save(org)
    store.save(_installation("T0SOLO", enterprise_id="E0ORG"))
    for_a_workspace = store.find_bot(
        enterprise_id="E0ORG", team_id="T0ANY", is_enterprise_install=True
    )
    assert for_a_workspace is not None and for_a_workspace.bot_token == org.bot_token
    solo = store.find_bot(enterprise_id="E0ORG", team_id="T0SOLO", is_enterprise_install=False)
    assert solo is not None and solo.bot_token == "xoxb-T0SOLO-secret"
    workspaces = _workspaces(store, "http://127.0.0.1:9/api/")
    assert workspaces.for_team("T0ANY", "E0ORG").token == org.bot_token  # the sweep's lookup
    assert workspaces.for_team("T0SOLO", "E0ORG").token == "xoxb-T0SOLO-secret"
    store.delete_installation(enterprise_id="E0ORG", team_id=None)
    workspaces.forget("E0ORG:*")
    with pytest.raises(NotInstalled):
        workspaces.for_team("T0ANY", "E0ORG")
    assert (
        store.find_bot(enterprise_id="E0ORG", team_id="T0ANY", is_enterprise_install=True) is None
    )
    assert store.find_bot(enterprise_id="E0ORG", team_id="T0SOLO") is not None


class _CountingStore(DatabaseInstallationStore):
    reads = 0

    def find_bot(self, **where: object) -> Bot | None:
        self.reads += 1
        return super().find_bot(**where)  # type: ignore[arg-type]


class _Monotonic:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def _workspaces(
    store: DatabaseInstallationStore,
    api_url: str,
    monotonic: _Monotonic | None = None,
    lost: list[tuple[str, str]] | None = None,
) -> InstalledWorkspaces:
    client = WebClient(base_url=api_url)
    rotator = TokenRotator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, client=client)
    lost = [] if lost is None else lost
    return InstalledWorkspaces(
        store, rotator, api_url=api_url, on_token_lost=lambda *why: lost.append(why),
        monotonic=monotonic or _Monotonic(),
    )  # fmt: skip


def test_a_refused_token_pauses_its_workspace_unless_a_newer_one_is_stored(
    engine: Engine,
) -> None:
    store, lost = _store(engine, NEW), list[tuple[str, str]]()
    store.save(_installation(bot_token="xoxb-first"))
    workspaces = _workspaces(store, "http://127.0.0.1:9/api/", lost=lost)
    assert workspaces.for_team("T0ACME").token == "xoxb-first"
    store.save(_installation(bot_token="xoxb-second"))  # installed again, via another replica
    workspaces.token_refused("T0ACME", "token_revoked", "xoxb-first")
    assert lost == []
    assert workspaces.for_team("T0ACME").token == "xoxb-second"
    workspaces.token_refused("T0ACME", "invalid_auth", "xoxb-second")
    assert lost == [("T0ACME", "invalid_auth")]


def test_authorising_requests_reads_the_installation_once_a_while(engine: Engine) -> None:
    store = _CountingStore(unit_of_work_factory(engine), Cipher([NEW]), FakeClock())
    store.save(_installation())
    clock = _Monotonic()
    workspaces = _workspaces(store, "http://127.0.0.1:9/api/", clock)
    context = BoltContext()
    for _ in range(5):
        found = workspaces(context=context, enterprise_id=None, team_id="T0ACME", user_id="U1")
        assert found is not None and found.bot_token == "xoxb-T0ACME-secret"
    assert store.reads == 1
    clock.now += 61
    workspaces(context=context, enterprise_id=None, team_id="T0ACME", user_id="U1")
    assert store.reads == 2
    store.delete_installation(enterprise_id=None, team_id="T0ACME")
    workspaces.forget("T0ACME")  # as an uninstall does
    assert workspaces(context=context, enterprise_id=None, team_id="T0ACME", user_id="U1") is None
    with pytest.raises(NotInstalled):
        workspaces.for_team("T0ACME")


@pytest.fixture
def rotating(stub: SlackStub) -> SlackStub:
    stub.add_workspace("T0ACME", "Acme")
    stub.configure_oauth(CLIENT_ID, CLIENT_SECRET, rotation=True)
    stub.expire_tokens_in(600)  # due for refreshing at once (Bolt refreshes 2 hours ahead)
    return stub


def test_a_token_refreshed_on_one_replica_is_used_by_the_others(
    engine: Engine, rotating: SlackStub
) -> None:
    redirect = "https://billing.example.com/slack/oauth_redirect"
    code = rotating.approve_install(
        "T0ACME", redirect_uri=redirect, scopes="chat:write", installer="U0ADMIN"
    )
    granted = WebClient(base_url=rotating.api_url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code, redirect_uri=redirect
    )
    _store(engine, NEW).save(
        _installation(
            bot_token=granted["access_token"],
            bot_refresh_token=granted["refresh_token"],
            bot_token_expires_in=granted["expires_in"],
        )
    )
    first = _workspaces(_store(engine, NEW), rotating.api_url).for_team("T0ACME")
    second = _workspaces(_store(engine, NEW), rotating.api_url).for_team("T0ACME")
    assert first.token == second.token != granted["access_token"]
    refreshes = [c for c in rotating.calls_to("oauth.v2.access") if c.args.get("grant_type")]
    assert len(refreshes) == 1
    assert second.auth_test()["team_id"] == "T0ACME"
