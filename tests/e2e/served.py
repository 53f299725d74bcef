"""`billing-bot serve` itself, in a child process, for the tests of what only it does."""

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.e2e.conftest import API_TOKEN, SECRET, free_port
from tests.slack_stub import SlackStub

START_WITHIN_S = 60
"""Generous: on a machine busy with other work, starting Python and the bot can take long."""


class Served:
    """`billing-bot serve` in a child process, restartable, on one port and one database."""

    def __init__(
        self,
        stub: SlackStub,
        database_url: str,
        workdir: Path,
        *,
        workers: int = 1,
        **settings: str,
    ) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "DATABASE_", "REMINDER_", "INVITE_"))
        }
        self.environment = {
            **keep,
            "SLACK_BOT_TOKEN": stub.bot_token,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": stub.api_url,
            "DATABASE_URL": database_url,
            "BILLING_API_TOKEN": API_TOKEN,
            "REMINDER_FIRST_AFTER": "2s",
            "REMINDER_REPEAT_EVERY": "2s",
            "INVITE_EXPIRES_AFTER": "9s",
            "REMINDER_SWEEP_EVERY": "1s",
            **settings,
        }
        self.workers = workers

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "bot",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.environment, cwd=self.workdir, stdout=log, stderr=log
            )
        deadline = time.monotonic() + START_WITHIN_S
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-2000:]
        raise AssertionError(f"billing-bot serve did not start; its log ends:\n{tail}")

    @property
    def log(self) -> Path:
        return self.workdir / "serve.log"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None
