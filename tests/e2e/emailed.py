"""The bot served with invitation emails on, an SMTP server beside it, and the links it sends."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine

from tests.e2e.conftest import Running, free_port, serve_bot_on
from tests.e2e.steps import eventually, invite, set_up
from tests.slack_stub import SlackStub
from tests.smtp_catcher import Catcher, smtp_catcher

OUTSIDER = "accountant@outside.example.org"


@dataclass
class Emailing:
    running: Running
    smtp: Catcher

    @property
    def base_url(self) -> str:
        return self.running.base_url

    def link(self, index: int = -1) -> str:
        """The link in the ``index``-th email received (waiting for it to arrive)."""
        eventually(lambda: len(self.smtp.inbox.messages) > (index if index >= 0 else 0))
        body = self.smtp.inbox.messages[index].get_body(("plain",))
        assert body is not None
        found = re.search(
            re.escape(self.base_url) + r"/invitations/[A-Za-z0-9_-]+", body.get_content()
        )
        assert found is not None
        return found.group(0)

    def invite_outsider(self, permissions: list[str] | None = None) -> str:
        invite(self.running, OUTSIDER, permissions or ["invoices", "tickets"])
        return self.link()


@contextmanager
def emailing(engine: Engine, stub: SlackStub, *, log_level: str = "warning") -> Iterator[Emailing]:
    """The bot emailing invitations to an SMTP server beside it, its account set up."""
    port, smtp_port = free_port(), free_port()
    settings = {
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MAIL_FROM": "Billing Access <billing@example.com>",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    with (
        smtp_catcher(smtp_port) as catcher,
        serve_bot_on(engine, stub, port, settings, log_level=log_level) as running,
    ):
        set_up(running)
        yield Emailing(running, catcher)


def answer_form(client: httpx.Client, link: str, choice: str) -> httpx.Response:
    """What the page's form sends: GET for the CSRF cookie and field, then POST both."""
    page = client.get(link)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return client.post(link, data={"csrf": found.group(1), "choice": choice})
