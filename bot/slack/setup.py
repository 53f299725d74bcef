"""How the bot reaches Slack, chosen from the settings: one workspace by ``SLACK_BOT_TOKEN``,
or many, each installed through OAuth with its tokens in the database."""

from collections.abc import Callable
from dataclasses import dataclass

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.core import BillingAccess, Clock
from bot.settings import Settings, SettingsError
from bot.slack.client import OneWorkspace, SlackClients, make_client
from bot.slack.installations import DatabaseInstallationStore, DatabaseStateStore
from bot.slack.installs import Installs
from bot.slack.oauth import STATE_LIFETIME, oauth_settings
from bot.slack.oauth_config import OAuthConfig
from bot.slack.workspaces import InstalledWorkspaces
from storage.secrets import Cipher, WrongKey
from storage.unit_of_work import UnitOfWorkFactory

WRONG_KEY = (
    "setting SECRETS_KEY cannot decrypt the stored Slack tokens: list the new key first and "
    "keep the old one after it until `billing-bot reseal-tokens` has run"
)


@dataclass(frozen=True)
class SlackSetup:
    client: WebClient
    """Bolt's client, with no token: ``authorize`` says which token answers each request."""
    clients: SlackClients
    authorize: Callable[..., AuthorizeResult | None] | None = None
    """Bolt's ``authorize``: which token and bot answer a request."""
    oauth_settings: OAuthSettings | None = None
    installs: Installs | None = None


def slack_for(
    settings: Settings,
    uow: UnitOfWorkFactory,
    core: BillingAccess,
    clock: Clock,
    client: WebClient | None = None,
) -> SlackSetup:
    """``client``: stands for the one workspace's client (tests hand in their own)."""
    config = settings.oauth
    if config is None:
        assert settings.SLACK_BOT_TOKEN is not None  # the settings require one mode
        token = settings.SLACK_BOT_TOKEN.get_secret_value()
        client = client or make_client(settings.SLACK_API_URL, token)
        workspace = OneWorkspace(client)
        # Bolt gives each request a copy of its client with the token ``authorize`` found.
        return SlackSetup(make_client(client.base_url, None), workspace, workspace)
    return _installed(config, settings.SLACK_API_URL, uow, core, clock)


def installation_store(
    config: OAuthConfig, uow: UnitOfWorkFactory, clock: Clock
) -> DatabaseInstallationStore:
    """The installations, checked to be readable with ``SECRETS_KEY`` (a ``SettingsError`` in
    one line when they are not)."""
    store = DatabaseInstallationStore(uow, Cipher(config.secrets_keys), clock)
    try:
        store.check_key()
    except WrongKey:
        raise SettingsError(WRONG_KEY) from None
    return store


def _installed(
    config: OAuthConfig, api_url: str, uow: UnitOfWorkFactory, core: BillingAccess, clock: Clock
) -> SlackSetup:
    store = installation_store(config, uow, clock)
    client = make_client(api_url, None)
    rotator = TokenRotator(
        client_id=config.client_id,
        client_secret=config.client_secret.get_secret_value(),
        client=client,
    )
    workspaces = InstalledWorkspaces(
        store, rotator, api_url=api_url, on_token_lost=core.workspaces.pause
    )
    installs = Installs(core, store, workspaces)
    states = DatabaseStateStore(uow, clock, expires_after=STATE_LIFETIME)
    settings = oauth_settings(config, store, states, installs.installed)
    return SlackSetup(client, workspaces, workspaces, settings, installs)
