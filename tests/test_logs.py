"""Secrets are redacted from every log record, whichever library makes it."""

import logging

import pytest

from bot.logs import REDACTED, redact_secrets

TOKEN = "xoxb-1234567890-secret"


def test_a_secret_in_a_message_or_its_arguments_is_redacted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redact_secrets([TOKEN, None, ""])
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("some.library").debug("calling with token=%s", TOKEN)
        logging.getLogger("another").warning(f"Authorization: Bearer {TOKEN}")
    assert TOKEN not in caplog.text
    assert caplog.text.count(REDACTED) == 2


def test_a_secret_in_an_exception_is_redacted(caplog: pytest.LogCaptureFixture) -> None:
    redact_secrets([TOKEN])
    try:
        raise ValueError(f"refused {TOKEN}")
    except ValueError:
        logging.getLogger("bot").exception("the call failed")
    assert TOKEN not in caplog.text
    assert "refused [redacted]" in caplog.text


def test_records_without_secrets_are_left_alone(caplog: pytest.LogCaptureFixture) -> None:
    redact_secrets([TOKEN])
    logging.getLogger("bot").warning("%d reminders for %s", 3, "C0BILLING")
    assert caplog.records[-1].getMessage() == "3 reminders for C0BILLING"
    assert caplog.records[-1].args == (3, "C0BILLING")


@pytest.mark.parametrize(
    "line",
    [
        '"GET /invitations/LINKTOKEN123 HTTP/1.1" 200',
        '"GET //invitations/LINKTOKEN123 HTTP/1.1" 404',
        '"GET /INVITATIONS/LINKTOKEN123 HTTP/1.1" 404',
        '"GET /invitations%2fLINKTOKEN123 HTTP/1.1" 404',
        '"GET /slack/oauth_redirect?code=LINKTOKEN123&state=LINKTOKEN123 HTTP/1.1" 200',
        '"GET /slack/oauth_redirect?state=LINKTOKEN123&code=LINKTOKEN123 HTTP/1.1" 200',
    ],
)
def test_link_tokens_and_oauth_codes_are_cut_from_access_lines(
    caplog: pytest.LogCaptureFixture, line: str
) -> None:
    redact_secrets([])
    with caplog.at_level(logging.INFO):
        # Shaped as uvicorn's access log (whose own logger stops propagating once uvicorn
        # has configured logging, so pytest would not see it there).
        logging.getLogger("an.access.log").info("%s - %s", "127.0.0.1:5000", line)
    assert "LINKTOKEN123" not in caplog.text
    assert REDACTED in caplog.text
