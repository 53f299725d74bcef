"""Invitation emails through a real SMTP server on loopback, read back as MIME."""

import hashlib
import logging
import re
from datetime import timedelta
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.mail.facts import when
from storage.tables import Invitation, Outbox, OutboxKind
from tests.conftest import OWNER, TEAM, FakeClock
from tests.mail.conftest import MAIL_FROM, OWNER_NAME, PUBLIC_URL, Mailing, mailing_bot
from tests.slack_stub import SlackStub
from tests.smtp_catcher import SMTP_PASSWORD, SMTP_USER, Catcher, make_certificate, smtp_catcher

INVITEE = "accountant@outside.example.org"
LINK = re.compile(re.escape(PUBLIC_URL) + r"/invitations/([A-Za-z0-9_-]+)")


def invite(
    mailing: Mailing, email: str = INVITEE, permissions: tuple[str, ...] = ("invoices",)
) -> None:
    mailing.core.invitations.invite(TEAM, actor=OWNER, emails=[email], permissions=permissions)


def parts(message: EmailMessage) -> tuple[str, str]:
    plain, html = message.get_body(("plain",)), message.get_body(("html",))
    assert plain is not None
    assert html is not None
    return plain.get_content(), html.get_content()


def token_in(message: EmailMessage) -> str:
    plain, html = parts(message)
    found = LINK.search(plain)
    assert found is not None
    assert f'href="{found.group(0)}"' in html
    return found.group(1)


def stored_invitation(engine: Engine) -> Invitation:
    with Session(engine) as session:
        return session.exec(select(Invitation)).one()


def test_an_invitee_slack_does_not_know_gets_one_multipart_email(
    mailing: Mailing, catcher: Catcher, engine: Engine, clock: FakeClock
) -> None:
    invite(mailing, permissions=("invoices", "tickets"))
    mailing.deliver()

    assert len(catcher.inbox.received) == 1
    recipients, message = catcher.inbox.received[0]
    assert recipients == [INVITEE]
    assert message.get_content_type() == "multipart/alternative"
    assert parseaddr(message["From"]) == parseaddr(MAIL_FROM)
    assert message["To"] == INVITEE
    assert parsedate_to_datetime(message["Date"]) == clock()
    assert re.fullmatch(r"<[^@<>]+@example\.com>", message["Message-ID"])
    assert OWNER_NAME in message["Subject"] and "Acme Ltd" in message["Subject"]
    plain, html = parts(message)
    for text in (plain, html):
        assert OWNER_NAME in text and "Acme Ltd" in text
        assert "View & Pay Invoices" in text.replace("&amp;", "&")
        assert "View & Open Support Tickets" in text.replace("&amp;", "&")
        assert "Modify Master Account Profile" not in text
        assert when(stored_invitation(engine).expires_at) in text
    assert "<img" not in html and "src=" not in html
    token = token_in(message)
    assert len(token) >= 43  # 256 bits
    stored = stored_invitation(engine)
    assert stored.link_hash == hashlib.sha256(token.encode()).hexdigest()
    assert stored.emailed_at == clock()


def test_names_people_typed_are_escaped_in_the_html(
    engine: Engine, stub: SlackStub, clock: FakeClock, catcher: Catcher
) -> None:
    hostile = '<script>alert("x")</script> & <b>Co</b>'
    stub.add_user(OWNER, "owner@acme.example.com", real_name='<img src="http://evil/x.png">')
    bot = mailing_bot(engine, stub, clock, f"smtp://127.0.0.1:{catcher.port}", account=hostile)
    mailing = Mailing(bot, stub, catcher.port)
    invite(mailing)
    mailing.deliver()

    plain, html = parts(catcher.inbox.messages[0])
    assert hostile in plain
    assert "<script>" not in html and "<b>Co</b>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in html
    assert "&lt;img src=&#34;http://evil/x.png&#34;&gt;" in html


def test_someone_in_the_workspace_gets_the_dm_and_no_email(
    mailing: Mailing, catcher: Catcher, stub: SlackStub
) -> None:
    stub.add_user("U0INSIDE", "inside@acme.example.com")
    invite(mailing, "inside@acme.example.com")
    mailing.deliver()
    assert catcher.inbox.received == []
    assert stub.messages(stub.dm_channel("U0INSIDE"))


def test_an_smtp_outage_delays_the_email_which_then_goes_once(
    mailing: Mailing, engine: Engine, clock: FakeClock, smtp_port: int
) -> None:
    invite(mailing)
    mailing.deliver()  # nobody listens on the port
    with Session(engine) as session:
        kind = Outbox.kind == OutboxKind.INVITATION_EMAIL
        email = session.exec(select(Outbox).where(kind)).one()
    assert email.done_at is None and email.outcome.startswith("unreachable")

    with smtp_catcher(smtp_port) as catcher:
        mailing.deliver()
        assert catcher.inbox.received == []  # not due again yet
        clock.advance(timedelta(minutes=5))
        mailing.deliver()
        clock.advance(timedelta(hours=1))
        mailing.deliver()
    assert len(catcher.inbox.received) == 1
    token = token_in(catcher.inbox.messages[0])
    assert mailing.core.links.find(token) is not None


def test_a_resend_emails_a_new_link_and_voids_the_old(
    mailing: Mailing, catcher: Catcher, clock: FakeClock
) -> None:
    invite(mailing)
    mailing.deliver()
    first = token_in(catcher.inbox.messages[0])
    clock.advance(timedelta(hours=1))
    mailing.core.invitations.resend(TEAM, actor=OWNER, email=INVITEE)
    assert mailing.core.links.find(first) is None
    mailing.deliver()
    assert len(catcher.inbox.received) == 2
    second = token_in(catcher.inbox.messages[1])
    assert second != first
    assert mailing.core.links.find(second) is not None
    assert mailing.core.links.find(first) is None


def test_starttls_with_a_login_to_a_server_that_requires_both(
    engine: Engine,
    stub: SlackStub,
    clock: FakeClock,
    smtp_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    certificate = make_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.file))
    url = f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{smtp_port}"
    with smtp_catcher(smtp_port, tls=certificate.server) as catcher:
        mailing = Mailing(mailing_bot(engine, stub, clock, url), stub, smtp_port)
        invite(mailing)
        mailing.deliver()
    assert catcher.inbox.logins == [SMTP_USER]
    assert len(catcher.inbox.received) == 1
    token_in(catcher.inbox.messages[0])


def test_an_untrusted_certificate_sends_nothing(
    engine: Engine, stub: SlackStub, clock: FakeClock, smtp_port: int, tmp_path: Path
) -> None:
    certificate = make_certificate(tmp_path)
    url = f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{smtp_port}"
    with smtp_catcher(smtp_port, tls=certificate.server) as catcher:
        mailing = Mailing(mailing_bot(engine, stub, clock, url), stub, smtp_port)
        invite(mailing)
        mailing.deliver()
    assert catcher.inbox.logins == []
    assert catcher.inbox.received == []


def test_neither_the_token_nor_the_smtp_password_is_logged(
    engine: Engine,
    stub: SlackStub,
    clock: FakeClock,
    smtp_port: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    certificate = make_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate.file))
    url = f"smtp://{SMTP_USER}:{SMTP_PASSWORD}@127.0.0.1:{smtp_port}"
    with smtp_catcher(smtp_port, tls=certificate.server) as catcher:
        mailing = Mailing(mailing_bot(engine, stub, clock, url), stub, smtp_port)
        invite(mailing)
        mailing.deliver()
        logging.getLogger("bot").info(
            "link %s", f"{PUBLIC_URL}/invitations/{token_in(catcher.inbox.messages[0])}"
        )
    token = token_in(catcher.inbox.messages[0])
    assert caplog.records
    assert token not in caplog.text
    assert SMTP_PASSWORD not in caplog.text
