"""Child processes: the stand-in Slack, ``billing-bot serve``, the peer and the floor."""

import json
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Self

from bench.config import BOT_TOKEN, BOT_WORKERS, SIGNING_SECRET, loopback_environment

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
START_TIMEOUT_S = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def child_environment(**settings: str) -> dict[str, str]:
    return {**loopback_environment(), "PYTHONPATH": str(REPO), **settings}


@dataclass
class Server:
    """One HTTP server in a child process, listening on ``port`` once started."""

    name: str
    port: int
    process: subprocess.Popen[bytes]

    def rss_mb(self) -> list[float]:
        """Resident memory now (VmRSS) of the server and each of its worker processes, in MB
        (10⁶ bytes)."""
        return [_rss_mb(pid) for pid in [self.process.pid, *_children(self.process.pid)]]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def spawn(name: str, module_args: list[str], env: dict[str, str], workdir: Path) -> Server:
    """Start ``python -m …`` with ``--port``; return once it accepts connections."""
    port = free_port()
    log = (workdir / f"{name}.log").open("wb")
    command = [sys.executable, "-m", *module_args, "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    server = Server(name, port, process)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {workdir}/{name}.log")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{name} did not start within {START_TIMEOUT_S:.0f}s")


ONE_WORKSPACE = {"SLACK_BOT_TOKEN": BOT_TOKEN}
"""The bot's Slack settings to serve the stand-in's own workspace with the bench's token."""


def start_bot(
    name: str, database_url: str, api_url: str, workdir: Path, slack: Mapping[str, str]
) -> Server:
    """``billing-bot serve`` on loopback with the bench's secret and database, reaching Slack
    by the settings ``slack`` (``ONE_WORKSPACE``, or OAuth's)."""
    env = child_environment(
        **slack,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        DATABASE_URL=database_url,
    )
    command = ["bot", "serve", "--host", HOST, "--workers", str(BOT_WORKERS)]
    return spawn(name, command, env, workdir)


def start_peer(api_url: str, workdir: Path, name: str = "peer") -> Server:
    env = child_environment(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=api_url
    )
    return spawn(name, ["bench.peer"], env, workdir)


def start_floor(workdir: Path, name: str = "floor") -> Server:
    env = child_environment(SLACK_SIGNING_SECRET=SIGNING_SECRET)
    return spawn(name, ["bench.floor"], env, workdir)


class StubProcess:
    """``bench.stub`` in a child process; ``api_url`` and ``response_url`` once started."""

    def __init__(self, invitees: int, sweep_channels: int, workspaces: int) -> None:
        arguments = [str(invitees), str(sweep_channels), str(workspaces)]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.stub", *arguments],
            env=child_environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        stdout: IO[bytes] | None = self._process.stdout
        assert stdout is not None
        line = stdout.readline()
        if not line:
            raise RuntimeError("the stand-in Slack did not start")
        addresses = json.loads(line)
        self.api_url: str = addresses["api_url"]
        self.response_url: str = addresses["response_url"]

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=15)


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    found = [int(child) for task in tasks.iterdir()
             for child in (task / "children").read_text().split()]  # fmt: skip
    return [grandchild for child in found for grandchild in [child, *_children(child)]]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmRSS for pid {pid}")
