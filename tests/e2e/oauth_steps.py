"""Installing the bot through OAuth as a person does in a browser, and using it in each of
several workspaces (issue 12)."""

import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from cryptography.fernet import Fernet
from sqlalchemy import Engine

from bot.blocks import ids
from tests.e2e.conftest import Running, serve_bot
from tests.e2e.slack_requests import invite_values
from tests.slack_stub import RecordedCall, SlackStub

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "e2e-client-secret"
PUBLIC_URL = "https://billing.example.com"
ACME, BETA = "T0ACME", "T0BETA"
OWNERS = {ACME: "U0ACMEOWNER", BETA: "U0BETAOWNER"}
CHANNELS = {ACME: "C0ACMEBILL", BETA: "C0BETABILL"}
STATE_COOKIE = "slack-app-oauth-state"
_AUTHORIZE_LINK = re.compile(r'href="(https://slack\.com/oauth/v2/authorize\?[^"]+)"')


def new_key() -> str:
    return Fernet.generate_key().decode()


def two_workspaces(stub: SlackStub) -> None:
    """The app's credentials at the stand-in, and two workspaces with an admin and a channel."""
    stub.configure_oauth(CLIENT_ID, CLIENT_SECRET)
    for team, name in ((ACME, "Acme"), (BETA, "Beta")):
        stub.add_workspace(team, name)
        owner_email = f"owner@{team.lower()}.example.com"
        stub.add_user(OWNERS[team], owner_email, is_admin=True, workspace=team)
        stub.add_channel(CHANNELS[team], "billing", bot_is_member=True, workspace=team)


@contextmanager
def serve_many(engine: Engine, stub: SlackStub, secrets_key: str) -> Iterator[Running]:
    """The bot in OAuth mode: no bot token of its own."""
    with serve_bot(
        engine, stub, SLACK_BOT_TOKEN=None, SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET=CLIENT_SECRET, SECRETS_KEY=secrets_key, PUBLIC_URL=PUBLIC_URL,
    ) as running:  # fmt: skip
        yield running


class Browser:
    """A person's browser: keeps the state cookie the install page sets (Bolt marks it Secure,
    which a client keeps from plain http, so it is carried by hand, as over https)."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=10)
        self.cookie = ""

    def start(self) -> dict[str, str]:
        """Open /slack/install; the query of the "Add to Slack" link it shows."""
        page = self._http.get("/slack/install")
        assert page.status_code == 200, page.text
        self.cookie = page.cookies.get(STATE_COOKIE) or _cookie(page)
        link = _AUTHORIZE_LINK.search(page.text)
        assert link is not None, page.text
        query = parse_qs(urlsplit(html.unescape(link.group(1))).query, keep_blank_values=True)
        return {name: values[0] for name, values in query.items()}

    def finish(self, **query: str) -> httpx.Response:
        """Slack's redirect back to /slack/oauth_redirect with ``query``."""
        headers = {"Cookie": f"{STATE_COOKIE}={self.cookie}"} if self.cookie else {}
        return self._http.get("/slack/oauth_redirect", params=query, headers=headers)

    def close(self) -> None:
        self._http.close()


def _cookie(page: httpx.Response) -> str:
    for header in page.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        if name == STATE_COOKIE:
            return rest.partition(";")[0]
    raise AssertionError("the install page set no state cookie")


def install(running: Running, team: str) -> httpx.Response:
    """An admin of ``team`` installs the app: the install page, Slack's consent, the redirect."""
    browser = Browser(running.base_url)
    try:
        link = browser.start()
        code = running.stub.approve_install(
            team, redirect_uri=link["redirect_uri"], scopes=link["scope"], installer=OWNERS[team]
        )
        return browser.finish(code=code, state=link["state"])
    finally:
        browser.close()


def set_up(running: Running, team: str) -> None:
    owner, channel = OWNERS[team], CHANNELS[team]

    def ready(calls: list[RecordedCall]) -> int:
        return sum(f"{team} Ltd" in json.dumps(c.args) and "is ready" in json.dumps(c.args)
                   for c in calls)  # fmt: skip

    answer = running.slack.command(owner, f"setup {team} Ltd", channel=channel, team=team)
    assert answer.status_code == 200
    running.stub.wait_for(lambda calls: ready(calls) > 0)


def invite(running: Running, team: str, email: str) -> None:
    """The owner of ``team`` invites ``email`` with the invoices permission."""
    owner = OWNERS[team]
    assert running.slack.command(owner, email, channel=CHANNELS[team], team=team).is_success

    def opened() -> list[dict[str, Any]]:
        views = running.stub.opened_views(workspace=team)
        return [v for v in views if v.get("callback_id") == ids.INVITE_MODAL]

    running.stub.wait_for(lambda _calls: len(opened()) > 0)
    values = invite_values(email, ["invoices"])
    assert running.slack.submit(owner, opened()[-1], values, team=team).is_success


def users(running: Running, team: str) -> dict[str, dict[str, Any]]:
    """The billing portal's view of ``team``'s account, by email."""
    answer = running.api(f"{team}/users")
    assert answer.status_code == 200, answer.text
    return {user["email"]: user for user in answer.json()}
