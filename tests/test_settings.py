"""Settings and durations: defaults, parsing, and one clear line for a bad one."""

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from bot.durations import format_duration, parse_duration
from bot.settings import SettingsError, load_database_settings, load_settings

ALL_SETTINGS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "BILLING_API_TOKEN",
    "METRICS_TOKEN",
    "PORT",
    "WEB_CONCURRENCY",
    "REMINDER_FIRST_AFTER",
    "REMINDER_REPEAT_EVERY",
    "INVITE_EXPIRES_AFTER",
    "REMINDER_SWEEP_EVERY",
    "WHMCS_API_URL",
    "WHMCS_API_IDENTIFIER",
    "WHMCS_API_SECRET",
    "WHMCS_API_ACCESS_KEY",
    "WHMCS_SYNC_EVERY",
    "WHMCS_MAX_CONCURRENCY",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SECRETS_KEY",
    "PUBLIC_URL",
    "SMTP_URL",
    "MAIL_FROM",
)
WHMCS_URL = "https://billing.example.com/includes/api.php"
WHMCS_SECRETS = {
    "WHMCS_API_IDENTIFIER": "whmcs-identifier-value",
    "WHMCS_API_SECRET": "whmcs-secret-value",
    "WHMCS_API_ACCESS_KEY": "whmcs-access-key-value",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ALL_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(str(tmp_path))  # no stray .env
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-value")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", 90),
        ("90s", 90),
        ("15m", 900),
        ("24h", 86400),
        ("7d", 604800),
        (" 2S ", 2),
        ("1.5h", 5400),
    ],
)
def test_durations(text: str, expected: int) -> None:
    assert parse_duration(text) == timedelta(seconds=expected)


@pytest.mark.parametrize("text", ["", "7w", "-5s", "0", "1 day", "h", "1e3"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


@given(st.integers(min_value=1, max_value=10**8))
def test_formatted_durations_parse_back(seconds: int) -> None:
    assert parse_duration(format_duration(timedelta(seconds=seconds))) == timedelta(seconds=seconds)


def test_defaults_are_those_of_the_design() -> None:
    settings = load_settings()
    assert settings.SLACK_API_URL == "https://slack.com/api/"
    assert settings.DATABASE_URL == "sqlite:///billing-bot.db"
    assert settings.PORT == 3000
    assert settings.BILLING_API_TOKEN is None and settings.SLACK_APP_TOKEN is None
    assert (settings.timings.reminder_first_after, settings.timings.invite_expires_after) == (
        timedelta(hours=24),
        timedelta(days=7),
    )
    assert timedelta(seconds=60) == settings.REMINDER_SWEEP_EVERY


def test_settings_come_from_the_environment_and_dotenv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("REMINDER_FIRST_AFTER", "2s")
    with open(f"{tmp_path}/.env", "w") as dotenv:
        dotenv.write("INVITE_EXPIRES_AFTER=3d\nSLACK_API_URL=http://127.0.0.1:9/api\n")
    settings = load_settings()
    assert timedelta(seconds=2) == settings.REMINDER_FIRST_AFTER
    assert timedelta(days=3) == settings.INVITE_EXPIRES_AFTER
    assert settings.SLACK_API_URL == "http://127.0.0.1:9/api/"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SLACK_BOT_TOKEN", None, "setting SLACK_BOT_TOKEN is required"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "setting SLACK_BOT_TOKEN is malformed"),
        ("SLACK_BOT_TOKEN", "xoxb-...", "setting SLACK_BOT_TOKEN is malformed: is the README's"),
        ("SLACK_APP_TOKEN", "xoxb-nope", "setting SLACK_APP_TOKEN is malformed"),
        ("PORT", "eighty", "setting PORT is malformed"),
        ("PORT", "70000", "setting PORT is malformed"),
        ("REMINDER_REPEAT_EVERY", "daily", "setting REMINDER_REPEAT_EVERY is malformed"),
        ("DATABASE_URL", "not a url", "setting DATABASE_URL is malformed"),
        ("SLACK_API_URL", "ftp://x", "setting SLACK_API_URL is malformed"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str | None, message: str
) -> None:
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert "xoxp-user-token" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        ("SLACK_SIGNING_SECRET", "", "setting SLACK_SIGNING_SECRET is set but empty"),
        ("SLACK_BOT_TOKEN", "", "setting SLACK_BOT_TOKEN is set but empty"),
        ("SLACK_APP_TOKEN", " ", "setting SLACK_APP_TOKEN is set but empty"),
        ("BILLING_API_TOKEN", "", "setting BILLING_API_TOKEN is set but empty"),
        ("BILLING_API_TOKEN", " \t ", "setting BILLING_API_TOKEN is set but empty"),
        ("METRICS_TOKEN", " ", "setting METRICS_TOKEN is set but empty"),
        (
            "WEB_CONCURRENCY",
            "abc",
            "setting WEB_CONCURRENCY is malformed: "
            "Input should be a valid integer, unable to parse string as an integer",
        ),
        (
            "DATABASE_URL",
            "nonsense://x",
            "setting DATABASE_URL is malformed: SQLAlchemy has no database dialect 'nonsense' "
            "(use sqlite:///… or postgresql+psycopg://…)",
        ),
        (
            "DATABASE_URL",
            "mysql://root:hunter2@db/billing",
            "setting DATABASE_URL is malformed: needs the driver MySQLdb, which is not installed",
        ),
    ],
)
def test_an_empty_secret_or_unusable_setting_is_one_exact_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, line: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == line


def test_the_database_commands_need_no_slack_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "")
    monkeypatch.setenv("WEB_CONCURRENCY", "abc")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    assert load_database_settings().DATABASE_URL == "sqlite:///elsewhere.db"


def test_the_database_commands_still_check_the_database_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", "nonsense://x")
    with pytest.raises(SettingsError, match=r"^setting DATABASE_URL is malformed"):
        load_database_settings()


def test_whmcs_is_off_by_default() -> None:
    settings = load_settings()
    assert settings.whmcs is None
    assert timedelta(minutes=5) == settings.WHMCS_SYNC_EVERY
    assert settings.WHMCS_MAX_CONCURRENCY == 4


def test_whmcs_is_on_with_its_url_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WHMCS_API_URL", WHMCS_URL)
    monkeypatch.setenv("WHMCS_API_IDENTIFIER", "whmcs-identifier-value")
    monkeypatch.setenv("WHMCS_API_SECRET", "whmcs-secret-value")
    monkeypatch.setenv("WHMCS_SYNC_EVERY", "90s")
    monkeypatch.setenv("WHMCS_MAX_CONCURRENCY", "8")
    whmcs = load_settings().whmcs
    assert whmcs is not None
    assert whmcs.api_url == WHMCS_URL
    assert whmcs.identifier.get_secret_value() == "whmcs-identifier-value"
    assert whmcs.secret.get_secret_value() == "whmcs-secret-value"
    assert whmcs.access_key is None
    assert (whmcs.sync_every, whmcs.max_concurrency) == (timedelta(seconds=90), 8)
    monkeypatch.setenv("WHMCS_API_ACCESS_KEY", "whmcs-access-key-value")
    with_key = load_settings().whmcs
    assert with_key is not None and with_key.access_key is not None
    assert with_key.secret_values() == tuple(WHMCS_SECRETS.values())
    assert "whmcs-secret-value" not in repr(with_key)


@pytest.mark.parametrize(
    ("given", "line"),
    [
        (
            ["WHMCS_API_URL"],
            "settings WHMCS_API_IDENTIFIER and WHMCS_API_SECRET are required with WHMCS_API_URL",
        ),
        (
            ["WHMCS_API_IDENTIFIER"],
            "settings WHMCS_API_URL and WHMCS_API_SECRET are required with WHMCS_API_IDENTIFIER",
        ),
        (
            ["WHMCS_API_SECRET"],
            "settings WHMCS_API_URL and WHMCS_API_IDENTIFIER are required with WHMCS_API_SECRET",
        ),
        (
            ["WHMCS_API_URL", "WHMCS_API_IDENTIFIER"],
            "setting WHMCS_API_SECRET is required with WHMCS_API_URL and WHMCS_API_IDENTIFIER",
        ),
        (
            ["WHMCS_API_URL", "WHMCS_API_SECRET"],
            "setting WHMCS_API_IDENTIFIER is required with WHMCS_API_URL and WHMCS_API_SECRET",
        ),
        (
            ["WHMCS_API_IDENTIFIER", "WHMCS_API_SECRET", "WHMCS_API_ACCESS_KEY"],
            "setting WHMCS_API_URL is required with WHMCS_API_IDENTIFIER, WHMCS_API_SECRET "
            "and WHMCS_API_ACCESS_KEY",
        ),
        (
            ["WHMCS_API_ACCESS_KEY"],
            "settings WHMCS_API_URL, WHMCS_API_IDENTIFIER and WHMCS_API_SECRET are required "
            "with WHMCS_API_ACCESS_KEY",
        ),
    ],
)
def test_whmcs_settings_go_together(
    monkeypatch: pytest.MonkeyPatch, given: list[str], line: str
) -> None:
    for name in given:
        monkeypatch.setenv(name, WHMCS_SECRETS.get(name, WHMCS_URL))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == line


@pytest.mark.parametrize(
    ("name", "value", "line"),
    [
        (
            "WHMCS_API_URL",
            "billing.example.com/includes/api.php",
            "setting WHMCS_API_URL is malformed: must be an http:// or https:// URL with a host, "
            "e.g. https://billing.example.com/includes/api.php",
        ),
        (
            "WHMCS_API_URL",
            "https:///includes/api.php",
            "setting WHMCS_API_URL is malformed: must be an http:// or https:// URL with a host, "
            "e.g. https://billing.example.com/includes/api.php",
        ),
        ("WHMCS_API_URL", " ", "setting WHMCS_API_URL is set but empty"),
        ("WHMCS_API_IDENTIFIER", "", "setting WHMCS_API_IDENTIFIER is set but empty"),
        ("WHMCS_API_SECRET", "  ", "setting WHMCS_API_SECRET is set but empty"),
        ("WHMCS_API_ACCESS_KEY", "", "setting WHMCS_API_ACCESS_KEY is set but empty"),
        (
            "WHMCS_SYNC_EVERY",
            "often",
            "setting WHMCS_SYNC_EVERY is malformed: "
            "'often' is not a duration; use seconds or a number with s, m, h or d",
        ),
        (
            "WHMCS_MAX_CONCURRENCY",
            "0",
            "setting WHMCS_MAX_CONCURRENCY is malformed: "
            "Input should be greater than or equal to 1",
        ),
    ],
)
def test_a_malformed_whmcs_setting_is_one_exact_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, line: str
) -> None:
    monkeypatch.setenv("WHMCS_API_URL", WHMCS_URL)
    for secret, example in WHMCS_SECRETS.items():
        monkeypatch.setenv(secret, example)
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == line


MAIL = {
    "SMTP_URL": "smtp://mailer:smtp-password-value@mail.example.com",
    "MAIL_FROM": "Billing Access <billing@example.com>",
    "PUBLIC_URL": "https://billing.example.com/",
}

OAUTH = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret-value",
    "SECRETS_KEY": Fernet.generate_key().decode(),
    "PUBLIC_URL": "https://billing.example.com/",
}


def test_mail_is_off_by_default() -> None:
    assert load_settings().mail is None


def test_mail_is_on_with_smtp_sender_and_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in MAIL.items():
        monkeypatch.setenv(name, value)
    mail = load_settings().mail
    assert mail is not None
    assert (mail.smtp.host, mail.smtp.port, mail.smtp.security) == (
        "mail.example.com",
        587,
        "starttls",
    )
    assert mail.smtp.password is not None
    assert mail.smtp.password.get_secret_value() == "smtp-password-value"
    assert (mail.sender.display_name, mail.sender.addr_spec) == (
        "Billing Access",
        "billing@example.com",
    )
    assert mail.public_url == "https://billing.example.com"


@pytest.mark.parametrize(
    ("url", "port", "security", "user"),
    [
        ("smtps://u:p@mail.example.com", 465, "tls", "u"),
        ("smtp://relay.internal:25", 25, "none", None),
        ("smtp://relay.internal", 25, "none", None),
        ("smtp://me%40example.com:p@mail.example.com:2525", 2525, "starttls", "me@example.com"),
    ],
)
def test_smtp_url_forms(
    monkeypatch: pytest.MonkeyPatch, url: str, port: int, security: str, user: str | None
) -> None:
    for name, value in {**MAIL, "SMTP_URL": url}.items():
        monkeypatch.setenv(name, value)
    mail = load_settings().mail
    assert mail is not None
    assert (mail.smtp.port, mail.smtp.security, mail.smtp.username) == (port, security, user)


@pytest.mark.parametrize(
    ("given", "line"),
    [
        (["SMTP_URL"], "settings MAIL_FROM and PUBLIC_URL are required with SMTP_URL"),
        (["MAIL_FROM"], "settings SMTP_URL and PUBLIC_URL are required with MAIL_FROM"),
        (
            ["SMTP_URL", "MAIL_FROM"],
            "setting PUBLIC_URL is required with SMTP_URL and MAIL_FROM",
        ),
        (["SMTP_URL", "PUBLIC_URL"], "setting MAIL_FROM is required with SMTP_URL"),
    ],
)
def test_mail_settings_go_together(
    monkeypatch: pytest.MonkeyPatch, given: list[str], line: str
) -> None:
    for name in given:
        monkeypatch.setenv(name, MAIL[name])
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == line


def test_public_url_alone_turns_nothing_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_URL", "http://localhost:3000")
    settings = load_settings()
    assert (settings.PUBLIC_URL, settings.mail) == ("http://localhost:3000", None)


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("SMTP_URL", "mail.example.com:587", "must be smtp://… (STARTTLS) or smtps://… (TLS)"),
        ("SMTP_URL", "smtp://mailer@mail.example.com", "needs both a user and a password"),
        ("SMTP_URL", "smtp://:smtp-password-value@mail.example.com", "needs both a user"),
        ("SMTP_URL", "smtp://u:smtp-password-value@mail.example.com:99999", "has a port"),
        ("SMTP_URL", "smtp://u:smtp-password-value@/", "has no host"),
        ("MAIL_FROM", "billing", "must be an email address"),
        ("MAIL_FROM", "Billing <billing@localhost>", "must be an email address"),
        ("PUBLIC_URL", "billing.example.com", "must be an absolute http:// or https:// URL"),
        ("PUBLIC_URL", "ftp://billing.example.com", "must be an absolute http:// or https:// URL"),
    ],
)
def test_malformed_mail_settings_are_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, reason: str
) -> None:
    for setting, good in {**MAIL, name: value}.items():
        monkeypatch.setenv(setting, good)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    line = str(caught.value)
    assert line.startswith(f"setting {name} is malformed: {reason}")
    assert "\n" not in line
    assert "smtp-password-value" not in line


def test_an_empty_smtp_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_URL", " ")
    with pytest.raises(SettingsError, match=r"^setting SMTP_URL is set but empty$"):
        load_settings()


def _oauth_environment(monkeypatch: pytest.MonkeyPatch, **changes: str | None) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    for name, value in {**OAUTH, **changes}.items():
        if value is not None:
            monkeypatch.setenv(name, value)


def test_with_the_oauth_settings_the_app_is_installed_per_workspace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = Fernet.generate_key().decode()
    _oauth_environment(monkeypatch, SECRETS_KEY=f"{OAUTH['SECRETS_KEY']}, {old}")
    settings = load_settings()
    assert settings.oauth is not None
    assert settings.oauth.redirect_uri == "https://billing.example.com/slack/oauth_redirect"
    assert settings.oauth.secrets_keys == (OAUTH["SECRETS_KEY"], old)


def test_one_workspaces_token_needs_no_oauth_settings() -> None:
    assert load_settings().oauth is None


@pytest.mark.parametrize(
    ("changes", "line"),
    [
        (
            {"SLACK_BOT_TOKEN": "xoxb-secret-value"},
            "settings SLACK_BOT_TOKEN and SLACK_CLIENT_ID cannot both be set: set "
            "SLACK_BOT_TOKEN for one workspace, or the SLACK_CLIENT_ID settings to be installed "
            "through OAuth",
        ),
        (
            {"SECRETS_KEY": None, "PUBLIC_URL": None},
            "settings SECRETS_KEY and PUBLIC_URL are required with SLACK_CLIENT_ID",
        ),
        (
            {"SLACK_CLIENT_SECRET": None},
            "setting SLACK_CLIENT_SECRET is required with SLACK_CLIENT_ID",
        ),
        (
            {"SECRETS_KEY": "not-a-key-value"},
            "setting SECRETS_KEY is malformed: must be one or more Fernet keys (as "
            "Fernet.generate_key() makes), comma-separated, newest first",
        ),
        ({"SECRETS_KEY": ""}, "setting SECRETS_KEY is set but empty"),
        (
            {"SLACK_CLIENT_ID": None},
            "setting SLACK_CLIENT_ID is required with SLACK_CLIENT_SECRET and SECRETS_KEY",
        ),
        (
            {"SLACK_CLIENT_ID": None, "SECRETS_KEY": None, "SLACK_BOT_TOKEN": "xoxb-one"},
            "settings SLACK_BOT_TOKEN and SLACK_CLIENT_SECRET cannot both be set: set "
            "SLACK_BOT_TOKEN for one workspace, or the SLACK_CLIENT_ID settings to be installed "
            "through OAuth",
        ),
        (
            {"PUBLIC_URL": "http://billing.example.com"},
            "setting PUBLIC_URL must be an https:// address to install through OAuth "
            "(http:// only for localhost)",
        ),
        (
            {"PUBLIC_URL": "billing.example.com"},
            "setting PUBLIC_URL is malformed: must be an absolute http:// or https:// URL, "
            "e.g. https://billing.example.com",
        ),
    ],
)
def test_a_mixed_or_incomplete_slack_mode_is_one_line(
    monkeypatch: pytest.MonkeyPatch, changes: dict[str, str | None], line: str
) -> None:
    _oauth_environment(monkeypatch)
    for name, value in changes.items():
        if value is None:
            monkeypatch.delenv(name)
        else:
            monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == line
    assert "client-secret-value" not in line and "not-a-key-value" not in line
