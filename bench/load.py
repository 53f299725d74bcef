"""The load generator: wrk with a Lua script when it is installed, else an asyncio client.

Both keep ``concurrency`` connections busy with the same pre-signed request and count as
dropped every request that failed, timed out (Slack waits three seconds) or came back
without a 200 carrying the target's expected text.
"""

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

from bench import pyload
from bench.config import ACK_TIMEOUT_S
from bench.signing import PATH, SignedRequest

HOST = "127.0.0.1"
_LUA = """
wrk.method = "POST"
wrk.body = [==[{body}]==]
{headers}
local marker = [==[{marker}]==]
local threads = {{}}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, marker, 1, true) then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + thread:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'BENCH {{"requests": %d, "seconds": %.6f, "dropped": %d, "p50": %d, "p95": %d, "p99": %d}}\\n',
    summary.requests, summary.duration / 1e6,
    bad_total + e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class LoadResult:
    requests: int
    dropped: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def generator() -> str:
    """The name of the load generator this machine uses."""
    return "wrk" if shutil.which("wrk") else "python"


def load(
    port: int, request: SignedRequest, marker: str, *, concurrency: int, seconds: float
) -> LoadResult:
    """Keep ``concurrency`` requests in flight for ``seconds``."""
    if generator() == "wrk":
        return _wrk(port, request, marker, concurrency=concurrency, seconds=seconds)
    return _from_python(
        pyload.run(HOST, port, request.http(HOST, port), marker, concurrency, seconds=seconds)
    )


def load_count(
    port: int, request: SignedRequest, marker: str, *, concurrency: int, requests: int
) -> LoadResult:
    """Send exactly ``requests`` requests, ``concurrency`` at a time."""
    payload = request.http(HOST, port)
    return _from_python(pyload.run(HOST, port, payload, marker, concurrency, requests=requests))


def _from_python(tally: pyload.Tally) -> LoadResult:
    return LoadResult(
        requests=len(tally.latencies),
        dropped=tally.dropped,
        seconds=tally.seconds,
        p50_ms=tally.percentile(50) * 1000,
        p95_ms=tally.percentile(95) * 1000,
        p99_ms=tally.percentile(99) * 1000,
    )


def _wrk(
    port: int, request: SignedRequest, marker: str, *, concurrency: int, seconds: float
) -> LoadResult:
    headers = "\n".join(
        f'wrk.headers["{name}"] = [==[{value}]==]' for name, value in request.headers.items()
    )
    script = _LUA.format(body=request.body, headers=headers, marker=marker)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as file:
        file.write(script)
        file.flush()
        command = [
            "wrk",
            f"--threads={min(2, concurrency)}",
            f"--connections={concurrency}",
            f"--duration={max(1, round(seconds))}s",
            f"--timeout={ACK_TIMEOUT_S:.0f}s",
            f"--script={file.name}",
            f"http://{HOST}:{port}{PATH}",
        ]
        finished = subprocess.run(command, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        raise RuntimeError(f"wrk failed on port {port}: {finished.stderr.strip()}")
    line = next(line for line in finished.stdout.splitlines() if line.startswith("BENCH "))
    report = json.loads(line.removeprefix("BENCH "))
    return LoadResult(
        requests=report["requests"],
        dropped=report["dropped"],
        seconds=report["seconds"],
        p50_ms=report["p50"] / 1000,
        p95_ms=report["p95"] / 1000,
        p99_ms=report["p99"] / 1000,
    )
