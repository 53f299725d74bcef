"""Settings and durations: defaults, parsing, and one clear line for a bad one."""

from datetime import timedelta

import pytest
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
    "PORT",
    "WEB_CONCURRENCY",
    "REMINDER_FIRST_AFTER",
    "REMINDER_REPEAT_EVERY",
    "INVITE_EXPIRES_AFTER",
    "REMINDER_SWEEP_EVERY",
)


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
