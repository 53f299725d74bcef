"""Secrets never reach a log: every record, from any library, is redacted as it is made."""

import logging
import re
import threading
import traceback
from collections.abc import Iterable

REDACTED = "[redacted]"
LINK_TOKEN = re.compile(r"(/+invitations(?:/|%2f)+)[^/\s?\"']+", re.IGNORECASE)
"""The token of an emailed invitation link in a path (uvicorn's access log among others),
also as a mangled link (doubled slashes, other case, an encoded slash) may carry it."""
OAUTH_QUERY = re.compile(r"([?&](?:code|state)=)[^&\s\"']+")
"""The code and state of Slack's OAuth redirect: single-use, but not for a log to keep."""

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact_secrets(secrets: Iterable[str | None]) -> None:
    """Replace each of ``secrets`` with ``[redacted]`` in every log record from now on."""
    global _installed
    with _lock:
        _secrets.update(secret for secret in secrets if secret and len(secret) >= 6)
        if _installed:
            return
        _installed = True
        make_record = logging.getLogRecordFactory()

        def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            _redact(record)
            return record

        logging.setLogRecordFactory(redacting_factory)


def _redact(record: logging.LogRecord) -> None:
    if isinstance(record.args, tuple):  # cleaned one by one, for formatters that read them
        record.args = tuple(_clean(a) if isinstance(a, str) else a for a in record.args)
    message = record.getMessage()
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
    cleaned, exc_text = _clean(message), _clean(record.exc_text or "")
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_text and exc_text != record.exc_text:
        record.exc_text = exc_text


def _clean(text: str) -> str:
    text = LINK_TOKEN.sub(rf"\g<1>{REDACTED}", text)
    text = OAUTH_QUERY.sub(rf"\g<1>{REDACTED}", text)
    for secret in _secrets:
        text = text.replace(secret, REDACTED)
    return text
