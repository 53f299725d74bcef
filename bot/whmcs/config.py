"""How to reach one WHMCS install, as the settings give it."""

from dataclasses import dataclass
from datetime import timedelta

from pydantic import SecretStr

DEFAULT_SYNC_EVERY = timedelta(minutes=5)
DEFAULT_MAX_CONCURRENCY = 4


@dataclass(frozen=True)
class WhmcsConfig:
    """The API's URL (``…/includes/api.php``), its credentials and optional access key, how
    often accounts are reconciled, and how many requests may be in flight at once."""

    api_url: str
    identifier: SecretStr
    secret: SecretStr
    access_key: SecretStr | None = None
    sync_every: timedelta = DEFAULT_SYNC_EVERY
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY

    def secret_values(self) -> tuple[str, ...]:
        """The credentials in clear, for the log redactor."""
        held = (self.identifier, self.secret, self.access_key)
        return tuple(value.get_secret_value() for value in held if value is not None)
