"""Settings from the environment and ``.env``, exactly as DESIGN §5 names them."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Self, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    BeforeValidator,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bot.core import Timings
from bot.durations import parse_duration
from bot.mail.config import MailConfig, parse_sender, parse_smtp_url
from bot.slack.oauth_config import OAuthConfig
from bot.whmcs.config import DEFAULT_MAX_CONCURRENCY, DEFAULT_SYNC_EVERY, WhmcsConfig
from storage.secrets import parse_keys


def _duration(value: object) -> object:
    return parse_duration(value) if isinstance(value, str) else value


Duration = Annotated[timedelta, BeforeValidator(_duration)]


class DatabaseSettings(BaseSettings):
    """What every command needs: `migrate` and `audit export` need nothing else."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    DATABASE_URL: str = "sqlite:///billing-bot.db"

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not an SQLAlchemy database URL") from None
        _check_driver(url)
        return value


def _check_driver(url: URL) -> None:
    """Fail at start-up, not at the first connection, when SQLAlchemy cannot load the URL's
    dialect or its driver."""
    try:
        url.get_dialect().import_dbapi()
    except NoSuchModuleError:
        raise ValueError(
            f"SQLAlchemy has no database dialect {url.drivername!r} "
            "(use sqlite:///… or postgresql+psycopg://…)"
        ) from None
    except ImportError as error:
        raise ValueError(f"needs the driver {error.name}, which is not installed") from None


class Settings(DatabaseSettings):
    """What `serve` needs: the database and Slack."""

    SLACK_BOT_TOKEN: SecretStr | None = None
    SLACK_CLIENT_ID: str | None = None
    SLACK_CLIENT_SECRET: SecretStr | None = None
    SECRETS_KEY: SecretStr | None = None
    PUBLIC_URL: str | None = None
    SLACK_SIGNING_SECRET: SecretStr | None = None
    SLACK_APP_TOKEN: SecretStr | None = None
    SLACK_API_URL: str = "https://slack.com/api/"
    BILLING_API_TOKEN: SecretStr | None = None
    METRICS_TOKEN: SecretStr | None = None
    PORT: int = Field(default=3000, ge=1, le=65535)
    WEB_CONCURRENCY: int = Field(default=1, ge=1)
    REMINDER_FIRST_AFTER: Duration = timedelta(hours=24)
    REMINDER_REPEAT_EVERY: Duration = timedelta(hours=24)
    INVITE_EXPIRES_AFTER: Duration = timedelta(days=7)
    REMINDER_SWEEP_EVERY: Duration = timedelta(seconds=60)
    WHMCS_API_URL: str | None = None
    WHMCS_API_IDENTIFIER: SecretStr | None = None
    WHMCS_API_SECRET: SecretStr | None = None
    WHMCS_API_ACCESS_KEY: SecretStr | None = None
    WHMCS_SYNC_EVERY: Duration = DEFAULT_SYNC_EVERY
    WHMCS_MAX_CONCURRENCY: int = Field(default=DEFAULT_MAX_CONCURRENCY, ge=1)
    SMTP_URL: SecretStr | None = None
    MAIL_FROM: str | None = None

    @field_validator(
        "SLACK_BOT_TOKEN",
        "SLACK_CLIENT_SECRET",
        "SECRETS_KEY",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "BILLING_API_TOKEN",
        "METRICS_TOKEN",
        "WHMCS_API_IDENTIFIER",
        "WHMCS_API_SECRET",
        "WHMCS_API_ACCESS_KEY",
        "SMTP_URL",
    )
    @classmethod
    def _not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            raise PydanticCustomError("empty", "is empty")
        return value

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else _with_prefix(value, "xoxb-")

    @field_validator("SLACK_CLIENT_ID")
    @classmethod
    def _client_id(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise PydanticCustomError("empty", "is empty")
        return value

    @field_validator("SECRETS_KEY")
    @classmethod
    def _secrets_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_keys(value.get_secret_value())
        return value

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        return None if value is None else _with_prefix(value, "xapp-")

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("WHMCS_API_URL")
    @classmethod
    def _whmcs_api_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise PydanticCustomError("empty", "is empty")
        url = urlsplit(value)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(
                "must be an http:// or https:// URL with a host, "
                "e.g. https://billing.example.com/includes/api.php"
            )
        return value

    @field_validator("PUBLIC_URL")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlsplit(value.strip())
        if url.scheme not in ("http", "https") or not url.hostname or url.query or url.fragment:
            raise ValueError(
                "must be an absolute http:// or https:// URL, e.g. https://billing.example.com"
            )
        return value.strip().rstrip("/")

    @field_validator("SMTP_URL")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_smtp_url(value.get_secret_value())
        return value

    @field_validator("MAIL_FROM")
    @classmethod
    def _mail_from(cls, value: str | None) -> str | None:
        if value is not None:
            parse_sender(value)
        return value

    @model_validator(mode="after")
    def _mail_complete(self) -> Self:
        """Emails are on with ``SMTP_URL``, ``MAIL_FROM`` and ``PUBLIC_URL`` (the links need
        it), or off without the first two."""
        mail = {"SMTP_URL": self.SMTP_URL, "MAIL_FROM": self.MAIL_FROM}
        if not any(value is not None for value in mail.values()):
            return self
        required = {**mail, "PUBLIC_URL": self.PUBLIC_URL}
        _require_together(required, given=mail)
        return self

    @model_validator(mode="after")
    def _one_slack_mode(self) -> Self:
        """One workspace by its bot token, or many installed through OAuth: one of the two."""
        only_oauth = {
            "SLACK_CLIENT_ID": self.SLACK_CLIENT_ID,
            "SLACK_CLIENT_SECRET": self.SLACK_CLIENT_SECRET,
            "SECRETS_KEY": self.SECRETS_KEY,
        }
        given = {name: value for name, value in only_oauth.items() if value is not None}
        if self.SLACK_BOT_TOKEN is not None and given:
            raise PydanticCustomError(
                "incomplete",
                f"settings SLACK_BOT_TOKEN and {next(iter(given))} cannot both be set: set "
                "SLACK_BOT_TOKEN for one workspace, or the SLACK_CLIENT_ID settings to be "
                "installed through OAuth",
            )
        if self.SLACK_BOT_TOKEN is None and not given:
            raise PydanticCustomError(
                "incomplete", "setting SLACK_BOT_TOKEN is required but not set"
            )
        if given:
            # Named after the client id when it is set, else after what is.
            named = {"SLACK_CLIENT_ID": self.SLACK_CLIENT_ID} if self.SLACK_CLIENT_ID else given
            _require_together({**only_oauth, "PUBLIC_URL": self.PUBLIC_URL}, given=named)
            _cookies_kept(self.PUBLIC_URL)
        return self

    @model_validator(mode="after")
    def _whmcs_complete(self) -> Self:
        """WHMCS is on with its URL and both credentials, or off with none of its settings."""
        required = {
            "WHMCS_API_URL": self.WHMCS_API_URL,
            "WHMCS_API_IDENTIFIER": self.WHMCS_API_IDENTIFIER,
            "WHMCS_API_SECRET": self.WHMCS_API_SECRET,
        }
        _require_together(
            required, given={**required, "WHMCS_API_ACCESS_KEY": self.WHMCS_API_ACCESS_KEY}
        )
        return self

    @property
    def mail(self) -> MailConfig | None:
        """How to send invitation emails, or None when none are sent."""
        if self.SMTP_URL is None or self.MAIL_FROM is None or self.PUBLIC_URL is None:
            return None
        return MailConfig(
            smtp=parse_smtp_url(self.SMTP_URL.get_secret_value()),
            sender=parse_sender(self.MAIL_FROM),
            public_url=self.PUBLIC_URL,
        )

    @property
    def whmcs(self) -> WhmcsConfig | None:
        """How to reach WHMCS, or None when accounts are kept in the built-in ledger."""
        if (
            self.WHMCS_API_URL is None
            or self.WHMCS_API_IDENTIFIER is None
            or self.WHMCS_API_SECRET is None
        ):
            return None
        return WhmcsConfig(
            api_url=self.WHMCS_API_URL,
            identifier=self.WHMCS_API_IDENTIFIER,
            secret=self.WHMCS_API_SECRET,
            access_key=self.WHMCS_API_ACCESS_KEY,
            sync_every=self.WHMCS_SYNC_EVERY,
            max_concurrency=self.WHMCS_MAX_CONCURRENCY,
        )

    @property
    def oauth(self) -> OAuthConfig | None:
        """How the app is installed per workspace, or None with one workspace's bot token."""
        if (
            self.SLACK_CLIENT_ID is None
            or self.SLACK_CLIENT_SECRET is None
            or self.SECRETS_KEY is None
            or self.PUBLIC_URL is None
        ):
            return None
        return OAuthConfig(
            client_id=self.SLACK_CLIENT_ID,
            client_secret=self.SLACK_CLIENT_SECRET,
            secrets_keys=tuple(parse_keys(self.SECRETS_KEY.get_secret_value())),
            public_url=self.PUBLIC_URL,
        )

    @property
    def timings(self) -> Timings:
        return Timings(
            self.REMINDER_FIRST_AFTER, self.REMINDER_REPEAT_EVERY, self.INVITE_EXPIRES_AFTER
        )


def _require_together(required: Mapping[str, object], *, given: Mapping[str, object]) -> None:
    """Refuse, in one line, a group of settings given in part: those of ``required`` that
    are missing, named with those of ``given`` that are set."""
    missing = [name for name, value in required.items() if value is None]
    present = [name for name, value in given.items() if value is not None]
    if missing and present:
        setting = "setting" if len(missing) == 1 else "settings"
        verb = "is" if len(missing) == 1 else "are"
        raise PydanticCustomError(
            "incomplete", f"{setting} {_listing(missing)} {verb} required with {_listing(present)}"
        )


def _cookies_kept(public_url: str | None) -> None:
    """The installation's state rides in a cookie Bolt marks Secure, which browsers keep only
    from https addresses and from localhost."""
    url = urlsplit(public_url or "")
    if url.scheme == "http" and url.hostname not in ("localhost", "127.0.0.1", "::1"):
        raise PydanticCustomError(
            "incomplete",
            "setting PUBLIC_URL must be an https:// address to install through OAuth "
            "(http:// only for localhost)",
        )


def _listing(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))


def _with_prefix(value: SecretStr, prefix: str) -> SecretStr:
    if not value.get_secret_value().startswith(prefix):
        raise ValueError(f"must start with {prefix}")
    if "..." in value.get_secret_value():
        raise ValueError("is the README's placeholder: paste the token from the app's settings")
    return value


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


AnySettings = TypeVar("AnySettings", bound=DatabaseSettings)


def load_settings(**overrides: object) -> Settings:
    """Read everything `serve` needs, turning pydantic's report into one line naming the
    setting."""
    return _load(Settings, overrides)


def load_database_settings() -> DatabaseSettings:
    """Read only what the database commands need, so Slack settings cannot stop them."""
    return _load(DatabaseSettings, {})


def _load(kind: type[AnySettings], overrides: dict[str, object]) -> AnySettings:
    try:
        return kind(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "incomplete":
            raise SettingsError(first["msg"]) from None
        name = ".".join(str(part) for part in first["loc"][:1]) or "settings"
        if first["type"] == "missing":
            raise SettingsError(f"setting {name} is required but not set") from None
        if first["type"] == "empty":
            raise SettingsError(f"setting {name} is set but empty") from None
        reason = first["msg"].removeprefix("Value error, ")
        raise SettingsError(f"setting {name} is malformed: {reason}") from None
