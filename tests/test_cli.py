"""The ``billing-bot`` command, run as a user would run it."""

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect

from bot.core import BillingAccess
from bot.web import create_web_app
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.unit_of_work import unit_of_work_factory
from tests.e2e.conftest import free_port

BOT = [sys.executable, "-m", "bot"]


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return {
        **keep,
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_SIGNING_SECRET": "cli-test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        **extra,
    }


def test_help_lists_the_commands() -> None:
    done = subprocess.run([*BOT, "--help"], capture_output=True, text=True, check=True)
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
    assert "no billing account" in done.stderr
    assert done.stdout == ""


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
