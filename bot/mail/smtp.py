"""Sending one message over SMTP as ``SMTP_URL`` says: STARTTLS, TLS, or a plain relay."""

import smtplib
import ssl
from email.message import EmailMessage

from bot.mail.config import Security, SmtpConfig

TIMEOUT_S = 20.0


class Mailer:
    def __init__(self, config: SmtpConfig) -> None:
        self._config = config
        # The system's certificate authorities, or those of the file SSL_CERT_FILE names.
        self._tls = ssl.create_default_context()

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the server; raises ``smtplib.SMTPException`` (an ``OSError``)
        or ``OSError`` when it could not."""
        config = self._config
        with self._connect() as smtp:
            if config.security == Security.STARTTLS:
                smtp.starttls(context=self._tls)
            if config.username is not None and config.password is not None:
                smtp.login(config.username, config.password.get_secret_value())
            smtp.send_message(message)

    def _connect(self) -> smtplib.SMTP:
        config = self._config
        if config.security == Security.TLS:
            return smtplib.SMTP_SSL(config.host, config.port, timeout=TIMEOUT_S, context=self._tls)
        return smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_S)
