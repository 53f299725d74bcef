"""The emailed link's page over HTTP: its headers, refusals and limits, and answering it
while the Slack DM is out as well (first answer wins)."""

import json
import logging
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import Engine
from uvicorn.logging import AccessFormatter

from bot.blocks import ids
from bot.pages.limits import FAILURES_ALLOWED, WINDOW_S
from tests.conftest import OWNER
from tests.e2e.emailed import OUTSIDER, Emailing, answer_form, emailing
from tests.e2e.steps import access, button_value, eventually, invitation_dm, wait_for_dm
from tests.slack_stub import SlackStub

UNKNOWN = "A" * 43


@pytest.fixture
def emailed(engine: Engine, stub: SlackStub) -> Iterator[Emailing]:
    with emailing(engine, stub) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def test_every_page_carries_strict_security_headers(emailed: Emailing, http: httpx.Client) -> None:
    link = emailed.invite_outsider()
    for response in (http.get(link), http.get(f"{emailed.base_url}/invitations/{UNKNOWN}")):
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src" not in policy and "unsafe-inline" not in policy
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["cache-control"] == "no-store"
        assert "<script" not in response.text
    cookie = http.get(link).headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


@pytest.mark.parametrize("token", [UNKNOWN, "short", "%2e%2e", "x" * 300])
def test_unknown_and_malformed_links_get_the_same_404(
    emailed: Emailing, http: httpx.Client, token: str
) -> None:
    emailed.invite_outsider()
    response = http.get(f"{emailed.base_url}/invitations/{token}")
    assert response.status_code == 404
    assert "This link cannot be used" in response.text
    assert "Acme" not in response.text and OUTSIDER not in response.text


def test_a_post_without_the_csrf_token_changes_nothing(
    emailed: Emailing, http: httpx.Client
) -> None:
    link = emailed.invite_outsider()
    assert http.post(link, data={"choice": "accept"}).status_code == 403
    http.get(link)  # the cookie alone is not enough either
    assert http.post(link, data={"choice": "accept"}).status_code == 403
    assert http.post(link, data={"csrf": "forged", "choice": "accept"}).status_code == 403
    assert access(emailed.running, OUTSIDER)["status"] == "invited"


def test_a_form_larger_than_the_page_sends_is_refused(
    emailed: Emailing, http: httpx.Client
) -> None:
    link = emailed.invite_outsider()
    response = http.post(link, content=b"csrf=" + b"x" * 100_000)
    assert response.status_code == 413
    assert access(emailed.running, OUTSIDER)["status"] == "invited"


def test_guessing_links_is_refused_after_a_few_failures(
    emailed: Emailing, http: httpx.Client
) -> None:
    link = emailed.invite_outsider()
    for attempt in range(FAILURES_ALLOWED):
        guess = f"{emailed.base_url}/invitations/{attempt:043d}"
        assert http.get(guess).status_code == 404
    refused = http.get(link)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= WINDOW_S
    assert http.get(f"{emailed.base_url}/invitations/{UNKNOWN}").status_code == 429


def test_the_token_is_not_in_the_access_log(
    engine: Engine, stub: SlackStub, http: httpx.Client
) -> None:
    lines: list[str] = []
    handler = logging.StreamHandler()
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    with emailing(engine, stub, log_level="info") as emailed:
        access_log = logging.getLogger("uvicorn.access")
        access_log.addHandler(handler)
        try:
            link = emailed.invite_outsider()
            answer_form(http, link, "decline")
        finally:
            access_log.removeHandler(handler)
    token = link.rsplit("/", 1)[1]
    assert any("GET /invitations/[redacted]" in line for line in lines), lines
    assert any("POST /invitations/[redacted]" in line for line in lines), lines
    assert not any(token in line for line in lines)


def test_someone_who_joins_later_gets_the_dm_and_the_first_answer_wins(
    emailed: Emailing, http: httpx.Client
) -> None:
    running = emailed.running
    link = emailed.invite_outsider(["invoices"])
    running.stub.add_user("U0LATE", OUTSIDER)
    event = {
        "type": "team_join",
        "user": {"id": "U0LATE", "team_id": "T0001", "profile": {"email": OUTSIDER}},
    }
    running.slack.event(event)
    dm = invitation_dm(running, "U0LATE")

    answered = answer_form(http, link, "accept")
    assert answered.status_code == 200
    assert "You accepted" in answered.text

    channel = running.stub.dm_channel("U0LATE")
    running.stub.wait_for(
        lambda _c: ids.ACCEPT not in json.dumps(running.stub.messages(channel)), timeout=10
    )
    wait_for_dm(running, OWNER, "accepted your invitation")
    user = access(running, OUTSIDER)
    assert (user["status"], user["slack_user_id"]) == ("active", "U0LATE")
    clicked = running.slack.click("U0LATE", ids.DECLINE, button_value(dm, ids.DECLINE))
    assert clicked.status_code == 200
    assert access(running, OUTSIDER)["status"] == "active"
    assert http.get(link).status_code == 404


def test_a_dm_answer_kills_the_link(emailed: Emailing, http: httpx.Client) -> None:
    running = emailed.running
    link = emailed.invite_outsider()
    running.stub.add_user("U0LATE", OUTSIDER)
    running.slack.event(
        {
            "type": "team_join",
            "user": {"id": "U0LATE", "team_id": "T0001", "profile": {"email": OUTSIDER}},
        }
    )
    dm = invitation_dm(running, "U0LATE")
    running.slack.click("U0LATE", ids.DECLINE, button_value(dm, ids.DECLINE))
    wait_for_dm(running, OWNER, "declined your invitation")
    response = http.get(link)
    assert response.status_code == 404
    assert "This link cannot be used" in response.text


def test_reminders_and_the_pending_list_say_emailed(emailed: Emailing) -> None:
    emailed.invite_outsider()
    running = emailed.running
    reply = running.slack.command(OWNER, "pending")
    assert reply.status_code == 200
    eventually(lambda: "emailed" in reply.text + json.dumps(running.stub.responses()))


def test_an_expired_link_is_gone_and_cannot_be_answered(
    emailed: Emailing, http: httpx.Client
) -> None:
    link = emailed.invite_outsider()
    page = http.get(link)
    emailed.running.clock.advance(timedelta(days=8))
    response = http.get(link)
    assert response.status_code == 410
    assert "expired" in response.text and "Acme" not in response.text
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    refused = http.post(link, data={"csrf": csrf, "choice": "accept"})
    assert refused.status_code == 409
    assert access(emailed.running, OUTSIDER)["status"] == "expired"
