"""How to reach the SMTP server, read from ``SMTP_URL``, and who the mail is from."""

from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr
from enum import StrEnum
from urllib.parse import unquote, urlsplit

from pydantic import SecretStr


class Security(StrEnum):
    STARTTLS = "starttls"
    """``smtp://user:pass@host``: plain connection upgraded with STARTTLS before logging in."""
    TLS = "tls"
    """``smtps://``: TLS from the first byte."""
    NONE = "none"
    """``smtp://host`` without credentials: a relay on a trusted network."""


DEFAULT_PORTS = {Security.STARTTLS: 587, Security.TLS: 465, Security.NONE: 25}


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: Security
    username: str | None
    password: SecretStr | None


def parse_smtp_url(value: str) -> SmtpConfig:
    """``smtp://user:pass@host:587``, ``smtps://user:pass@host:465`` or ``smtp://host:25``;
    raises ValueError naming what is wrong (never the password)."""
    url = urlsplit(value)
    if url.scheme not in ("smtp", "smtps"):
        raise ValueError("must be smtp://… (STARTTLS) or smtps://… (TLS)")
    try:
        host, port = url.hostname, url.port
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    if not host:
        raise ValueError("has no host, e.g. smtp://user:pass@mail.example.com:587")
    if url.path not in ("", "/") or url.query or url.fragment:
        raise ValueError("must be only scheme, credentials, host and port")
    if (url.username is None) != (url.password is None) or url.username == "":
        raise ValueError("needs both a user and a password, or neither")
    credentials = url.username is not None
    if url.scheme == "smtps":
        security = Security.TLS
    else:
        security = Security.STARTTLS if credentials else Security.NONE
    return SmtpConfig(
        host=host,
        port=port or DEFAULT_PORTS[security],
        security=security,
        username=unquote(url.username) if url.username else None,
        password=SecretStr(unquote(url.password)) if url.password else None,
    )


def parse_sender(value: str) -> Address:
    """``Billing Access <billing@example.com>`` or ``billing@example.com``."""
    name, address = parseaddr(value)
    user, at, domain = address.rpartition("@")
    if not (user and at and "." in domain) or any(c in value for c in "\r\n"):
        raise ValueError("must be an email address, e.g. Billing Access <billing@example.com>")
    return Address(display_name=name, username=user, domain=domain)


@dataclass(frozen=True)
class MailConfig:
    """Everything sending invitation emails needs; present only when all of it is set."""

    smtp: SmtpConfig
    sender: Address
    public_url: str
    """Absolute, without a trailing slash: links are ``{public_url}/invitations/{token}``."""
