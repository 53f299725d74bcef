"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, and a throwaway
certificate authority's certificate for STARTTLS, made at test time."""

import datetime
import ipaddress
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SMTP_USER = "mailer"
SMTP_PASSWORD = "smtp-test-password"


@dataclass
class Inbox:
    """What the server accepted: each message with its envelope recipients."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _to, message in self.received]


@dataclass(frozen=True)
class Catcher:
    inbox: Inbox
    port: int


@contextmanager
def smtp_catcher(port: int, *, tls: ssl.SSLContext | None = None) -> Iterator[Catcher]:
    """An SMTP server on ``127.0.0.1:port``; with ``tls``, it offers STARTTLS and requires
    it, and a login (``SMTP_USER``/``SMTP_PASSWORD``) over it."""
    inbox = Inbox()

    def authenticate(
        _server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        if ok:
            inbox.logins.append(SMTP_USER)
        return AuthResult(success=ok)

    secure: dict[str, Any] = (
        {}
        if tls is None
        else {
            "tls_context": tls,
            "require_starttls": True,
            "authenticator": authenticate,
            "auth_required": True,
        }
    )
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **secure)
    controller.start()
    try:
        yield Catcher(inbox, port)
    finally:
        controller.stop()


@dataclass(frozen=True)
class Certificate:
    server: ssl.SSLContext
    """The server's side: the certificate for 127.0.0.1 and its key."""
    file: Path
    """The certificate, for clients to trust (``SSL_CERT_FILE``)."""


def make_certificate(folder: Path) -> Certificate:
    """A self-signed certificate for 127.0.0.1, written under ``folder`` (a test's tmp_path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    return Certificate(server, cert_file)
