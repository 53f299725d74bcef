"""The ``billing-bot`` command, run as a user would run it."""

import asyncio
import contextlib
import csv
import io
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from bot.cli import main
from bot.core import BillingAccess, utc_now
from bot.slack.installations import DatabaseInstallationStore
from bot.slack.setup import WRONG_KEY
from bot.web import create_web_app
from storage.engine import make_engine, make_read_only_engine, shown
from storage.migrate import alembic_config, upgrade
from storage.secrets import Cipher
from storage.unit_of_work import unit_of_work_factory
from tests.conftest import NO_POSTGRES, POSTGRES_URL, TEAM
from tests.e2e.conftest import free_port

BOT = [sys.executable, "-m", "bot"]
# Settings the tests set themselves, whatever the environment running them holds.
OURS = ("SLACK_", "DATABASE_", "BILLING_", "WEB_CONCURRENCY")
UNREACHABLE = "postgresql+psycopg://postgres:Sup3r%40Secret@127.0.0.1:1/billing"
# libpq takes a password from the query string too.
UNREACHABLE_BY_QUERY = "postgresql+psycopg://postgres@127.0.0.1:1/billing?password=Sup3rSecret"
# Good settings for serve, on a database it cannot reach: should a bad setting slip through,
# serve stops at the database instead of serving.
SERVE = {
    "SLACK_BOT_TOKEN": "xoxb-cli-test",
    "SLACK_SIGNING_SECRET": "cli-test-secret",
    "DATABASE_URL": UNREACHABLE,
}


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    return {
        **keep,
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_SIGNING_SECRET": "cli-test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        **extra,
    }


def test_help_lists_the_commands_whatever_web_concurrency_holds(tmp_path: Path) -> None:
    environment = _environment(tmp_path, WEB_CONCURRENCY="abc")
    done = subprocess.run([*BOT, "--help"], env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "serve" in done.stdout and "migrate" in done.stdout


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    subprocess.run([*BOT, "migrate"], env=env, cwd=tmp_path, check=True, capture_output=True)
    tables = set(inspect(make_engine(env["DATABASE_URL"])).get_table_names())
    assert {"account", "member", "invitation", "contact", "audit_event"} <= tables


def test_a_bad_setting_stops_start_up_with_one_line(tmp_path: Path) -> None:
    env = _environment(tmp_path, INVITE_EXPIRES_AFTER="forever")
    done = subprocess.run([*BOT, "serve"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "billing-bot: setting INVITE_EXPIRES_AFTER is malformed: 'forever' is not a duration; "
        "use seconds or a number with s, m, h or d"
    ]


def test_serving_http_needs_the_signing_secret(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    del env["SLACK_SIGNING_SECRET"]
    done = subprocess.run([*BOT, "serve"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2
    assert "SLACK_SIGNING_SECRET" in done.stderr


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_secrets_key_that_cannot_read_the_stored_tokens_stops_start_up_in_one_line(
    tmp_path: Path, workers: str
) -> None:
    env = _environment(tmp_path, SLACK_CLIENT_ID="1111.2222", SLACK_CLIENT_SECRET="cli-secret",
                       SECRETS_KEY=Fernet.generate_key().decode(),
                       PUBLIC_URL="https://billing.example.com")  # fmt: skip
    del env["SLACK_BOT_TOKEN"]
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    store = DatabaseInstallationStore(
        unit_of_work_factory(engine), Cipher([Fernet.generate_key().decode()]), utc_now
    )
    store.save(Installation(team_id="T1", bot_token="xoxb-stored", user_id="U1"))
    engine.dispose()
    done = subprocess.run([*BOT, "serve", "--workers", workers], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == f"billing-bot: {WRONG_KEY}"
    assert "Traceback" not in done.stderr


def test_reseal_tokens_writes_every_token_under_the_newest_key(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    oauth = {
        "SLACK_CLIENT_ID": "1111.2222",
        "SLACK_CLIENT_SECRET": "cli-secret",
        "SECRETS_KEY": f"{new},{old}",
        "PUBLIC_URL": "https://billing.example.com",
    }
    env = _environment(tmp_path, **oauth)
    del env["SLACK_BOT_TOKEN"]
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    for team in ("T1", "T2"):
        store = DatabaseInstallationStore(unit_of_work_factory(engine), Cipher([old]), utc_now)
        store.save(Installation(team_id=team, bot_token=f"xoxb-{team}", user_id="U1"))
    done = subprocess.run([*BOT, "reseal-tokens"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "resealed 2 installations" in done.stderr
    newest = DatabaseInstallationStore(unit_of_work_factory(engine), Cipher([new]), utc_now)
    found = [newest.find_bot(enterprise_id=None, team_id=team) for team in ("T1", "T2")]
    assert [bot.bot_token for bot in found if bot] == ["xoxb-T1", "xoxb-T2"]
    engine.dispose()


@pytest.fixture(params=[1, 2], ids=["one worker", "two workers"])
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            *BOT,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(request.param),
        ],
        env=_environment(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_up(base: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("billing-bot serve did not start")


def test_serve_answers_health_with_the_schema_in_place(served: str, tmp_path: Path) -> None:
    response = httpx.get(f"{served}/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert (
        "invitation" in inspect(make_engine(f"sqlite:///{tmp_path / 'cli.db'}")).get_table_names()
    )


def test_health_is_503_while_the_database_is_down() -> None:
    engine = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")

    async def get_health() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_web_app(engine))
        async with httpx.AsyncClient(transport=transport, base_url="http://bot") as client:
            return await client.get("/healthz")

    assert asyncio.run(get_health()).status_code == 503


def test_socket_mode_needs_the_app_token(tmp_path: Path) -> None:
    done = subprocess.run(
        [*BOT, "serve", "--socket-mode"],
        env=_environment(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip() == "billing-bot: setting SLACK_APP_TOKEN is required for --socket-mode"
    )


def _trail_in(tmp_path: Path) -> None:
    engine = make_engine(_environment(tmp_path)["DATABASE_URL"])
    upgrade(engine)
    core = BillingAccess.create(unit_of_work_factory(engine))
    core.accounts.setup("T0001", "Acme, “Ltd”", actor="U0OWNER", actor_email="o@acme.example.com",
                        actor_is_workspace_admin=True, channel_id="C1")  # fmt: skip
    core.invitations.invite("T0001", actor="U0OWNER", emails=["ana@example.com"],
                            permissions=["quotes", "invoices"])  # fmt: skip


def _export(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BOT, "audit", "export", *arguments], env=_environment(tmp_path),
                          cwd=tmp_path, capture_output=True, text=True)  # fmt: skip


def test_audit_export_as_json_lines(tmp_path: Path) -> None:
    _trail_in(tmp_path)
    done = _export(tmp_path, "--team", "T0001", "--format", "jsonl")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(e["action"], e["actor"], e["target"]) for e in events] == [
        ("account.created", "U0OWNER", "o@acme.example.com"),
        ("invitation.created", "U0OWNER", "ana@example.com"),
    ]
    assert events[1]["permissions_after"] == ["invoices", "quotes"]
    assert events[1]["permissions_before"] is None
    assert events[0]["detail"] == "Acme, “Ltd”"


def test_audit_export_as_csv(tmp_path: Path) -> None:
    _trail_in(tmp_path)
    done = _export(tmp_path, "--team", "T0001")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["action"] for row in rows] == ["account.created", "invitation.created"]
    assert rows[1]["permissions_after"] == "invoices quotes"
    assert rows[0]["detail"] == "Acme, “Ltd”"


def test_audit_export_of_an_unknown_team_says_so(tmp_path: Path) -> None:
    _trail_in(tmp_path)
    done = _export(tmp_path, "--team", "T0NOPE", "--format", "jsonl")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "billing-bot: no billing account for team T0NOPE in this database"
    ]
    assert done.stdout == ""


def test_audit_export_where_there_is_no_database_creates_none(tmp_path: Path) -> None:
    environment = _environment(tmp_path)
    del environment["DATABASE_URL"]  # the default: billing-bot.db in the current folder
    done = subprocess.run([*BOT, "audit", "export", "--team", "T0001"], env=environment,
                          cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        f"billing-bot: setting DATABASE_URL: the SQLite file {tmp_path}/billing-bot.db "
        "does not exist"
    ]
    assert list(tmp_path.iterdir()) == []


def _base_revision() -> str:
    (base,) = ScriptDirectory.from_config(alembic_config()).get_bases()
    return str(base)


NEWER = "f0f0f0f0f0f0"
"""A revision of a later version of the bot."""


@pytest.mark.parametrize(
    ("revision", "state"),
    [
        (None, "has no schema: run `billing-bot migrate` first"),
        ("base", "has an older schema: run `billing-bot migrate` first"),
        (NEWER, "has a schema newer than this billing-bot"),
    ],
    ids=["empty", "older", "newer"],
)
def test_audit_export_never_migrates(
    bare_environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    revision: str | None,
    state: str,
) -> None:
    database = tmp_path / "old.db"
    database.touch()
    if revision is not None:
        engine = make_engine(f"sqlite:///{database}")
        upgrade(engine, _base_revision() if revision == "base" else "head")
        engine.dispose()
    if revision == NEWER:
        with contextlib.closing(sqlite3.connect(database)) as connection, connection:
            connection.execute("UPDATE alembic_version SET version_num = ?", (NEWER,))
    before = database.read_bytes()
    bare_environment.setenv("DATABASE_URL", f"sqlite:///{database}")
    assert main(["audit", "export", "--team", "T0001"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"billing-bot: the database at sqlite:///{database} {state}"
    ]
    assert database.read_bytes() == before


def test_audit_export_reads_the_database_as_it_is_on_each_backend(
    bare_environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    billing: BillingAccess,
    engine: Engine,
) -> None:
    bare_environment.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert main(["audit", "export", "--team", TEAM, "--format", "jsonl"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [event["action"] for event in events] == ["account.created"]
    assert main(["audit", "export", "--team", "T0NOPE"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "billing-bot: no billing account for team T0NOPE in this database"
    ]


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_export_engine_can_change_nothing(tmp_path: Path, backend: str) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.db'}"
        sqlite3.connect(tmp_path / "cli.db").close()
    else:
        url = _postgres_url().render_as_string(hide_password=False)
    engine = make_read_only_engine(url)
    try:
        with pytest.raises(DBAPIError, match=r"read-only|readonly"), engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE export_wrote (id integer)")
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_audit_export_of_a_postgresql_schema_never_migrated(
    bare_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _postgres_url()
    admin = make_engine(url.render_as_string(hide_password=False))
    with admin.begin() as connection:
        connection.exec_driver_sql("DROP SCHEMA IF EXISTS export_empty CASCADE")
        connection.exec_driver_sql("CREATE SCHEMA export_empty")
    # Its own search path, which the export keeps while it makes transactions read-only.
    empty = url.update_query_dict({"options": "-csearch_path=export_empty"})
    bare_environment.setenv("DATABASE_URL", empty.render_as_string(hide_password=False))
    try:
        assert main(["audit", "export", "--team", "T0001"]) == 2
        assert capsys.readouterr().err.splitlines() == [
            f"billing-bot: the database at {shown(empty)} has no schema: "
            "run `billing-bot migrate` first"
        ]
        assert inspect(admin).get_table_names(schema="export_empty") == []
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA export_empty CASCADE")
        admin.dispose()


def test_workers_must_be_at_least_one_and_socket_mode_takes_one(tmp_path: Path) -> None:
    env = _environment(tmp_path, SLACK_APP_TOKEN="xapp-test")
    for arguments, message in (
        (["--workers", "0"], "--workers must be at least 1"),
        (["--socket-mode", "--workers", "2"], "--socket-mode takes one worker"),
    ):
        done = subprocess.run([*BOT, "serve", *arguments], env=env, cwd=tmp_path,
                              capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 2
        assert message in done.stderr


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No settings but those a test sets, and no .env, for running ``main`` in-process."""
    for name in [name for name in os.environ if name.startswith(OURS)]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def _postgres_url() -> URL:
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    return make_url(POSTGRES_URL)


@pytest.mark.parametrize(
    ("command", "settings", "line"),
    [
        (
            "migrate",
            {"DATABASE_URL": "nonsense://x"},
            "setting DATABASE_URL is malformed: SQLAlchemy has no database dialect 'nonsense' "
            "(use sqlite:///… or postgresql+psycopg://…)",
        ),
        (
            "migrate",
            {"DATABASE_URL": UNREACHABLE},
            "setting DATABASE_URL: could not connect to "
            "postgresql+psycopg://postgres:***@127.0.0.1:1/billing: Connection refused",
        ),
        (
            "migrate",
            {"DATABASE_URL": f"{UNREACHABLE_BY_QUERY}&connect_timeout=5"},
            "setting DATABASE_URL: could not connect to postgresql+psycopg://postgres@127.0.0.1:1"
            "/billing?password=***&connect_timeout=***: Connection refused",
        ),
        (
            "serve",
            {**SERVE, "SLACK_SIGNING_SECRET": ""},
            "setting SLACK_SIGNING_SECRET is set but empty",
        ),
        (
            "serve",
            {**SERVE, "BILLING_API_TOKEN": " "},
            "setting BILLING_API_TOKEN is set but empty",
        ),
        (
            "serve",
            {**SERVE, "WEB_CONCURRENCY": "abc"},
            "setting WEB_CONCURRENCY is malformed: "
            "Input should be a valid integer, unable to parse string as an integer",
        ),
    ],
)
def test_a_bad_setting_is_one_exact_line_and_exit_2(
    bare_environment: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    settings: dict[str, str],
    line: str,
) -> None:
    for name, value in settings.items():
        bare_environment.setenv(name, value)
    assert main([command]) == 2
    assert capsys.readouterr().err.splitlines() == [f"billing-bot: {line}"]


def test_a_sqlite_database_in_a_missing_folder_is_one_line(
    bare_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bare_environment.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing/bot.db")
    assert main(["migrate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"billing-bot: setting DATABASE_URL: could not connect to sqlite:///{tmp_path}/missing/"
        f"bot.db: the folder {tmp_path}/missing does not exist"
    ]


@pytest.mark.postgres
def test_a_missing_postgresql_database_is_one_line(
    bare_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _postgres_url().set(database="billing_bot_no_such_database")
    bare_environment.setenv("DATABASE_URL", url.render_as_string(hide_password=False))
    assert main(["migrate"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"billing-bot: setting DATABASE_URL: could not connect to {url.render_as_string()}: "
        'database "billing_bot_no_such_database" does not exist'
    ]


@pytest.mark.parametrize(
    ("arguments", "settings"),
    [
        (["serve"], {"SLACK_SIGNING_SECRET": ""}),
        (["migrate"], {"DATABASE_URL": UNREACHABLE}),
        (["migrate"], {"DATABASE_URL": UNREACHABLE_BY_QUERY}),
        (["audit", "export", "--team", "T0001"], {"DATABASE_URL": UNREACHABLE_BY_QUERY}),
    ],
    ids=[
        "empty signing secret",
        "unreachable database",
        "password in the query",
        "password in the query, exporting",
    ],
)
def test_the_command_itself_prints_one_line_and_no_secret(
    tmp_path: Path, arguments: list[str], settings: dict[str, str]
) -> None:
    done = subprocess.run([*BOT, *arguments], env=_environment(tmp_path, **settings),
                          cwd=tmp_path, capture_output=True, text=True, timeout=30)  # fmt: skip
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1, done.stderr
    assert "Sup3r" not in done.stderr and "cli-test-secret" not in done.stderr


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"billing-bot {version('billing-access-for-slack')}\n"


def test_migrate_and_audit_export_need_no_slack_settings(
    bare_environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bare_environment.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    assert main(["migrate"]) == 0
    _trail_in(tmp_path)
    assert main(["audit", "export", "--team", "T0001", "--format", "jsonl"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2


def test_migrate_an_in_memory_sqlite_database(bare_environment: pytest.MonkeyPatch) -> None:
    bare_environment.setenv("DATABASE_URL", "sqlite:///:memory:")
    assert main(["migrate"]) == 0


@pytest.mark.postgres
def test_migrate_with_a_percent_encoded_password_keeps_it_to_itself(tmp_path: Path) -> None:
    if _postgres_url().password:
        pytest.skip("needs a TEST_POSTGRES_URL without a password (any password is accepted)")
    url = _postgres_url().set(password="Sup3r@Secret").render_as_string(hide_password=False)
    assert "Sup3r%40Secret" in url
    done = subprocess.run([*BOT, "migrate"], env=_environment(tmp_path, DATABASE_URL=url),
                          cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Sup3r" not in done.stdout + done.stderr
