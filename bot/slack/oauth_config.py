"""What installing the app per workspace through OAuth needs, from the settings."""

from dataclasses import dataclass

from pydantic import SecretStr

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


@dataclass(frozen=True)
class OAuthConfig:
    client_id: str
    client_secret: SecretStr
    secrets_keys: tuple[str, ...]
    """``SECRETS_KEY``'s keys, newest first."""
    public_url: str

    @property
    def redirect_uri(self) -> str:
        return self.public_url + REDIRECT_PATH
