"""Servers under gunicorn with production settings, and wrk runs against them on 127.0.0.1."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRK_SCRIPT = ROOT / "bench" / "wrk" / "sessions.lua"
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "4", "--worker-class", "gthread", "--threads", "4",
            "--log-level", "warning", "--timeout", "120"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], ready_path: str):  # type: ignore[no-untyped-def]
    """Serve `app_spec` on a free port until the block ends; yields the base URL."""
    port = free_port()
    process = subprocess.Popen(
        [*GUNICORN, "--bind", f"127.0.0.1:{port}", app_spec], cwd=ROOT, env={**os.environ, **env}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + ready_path)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server did not start: {url}")


@dataclass
class Run:
    rps: float
    p50: float
    p95: float
    p99: float
    errors: int
    requests: int


def wrk(base: str, sessions_file: Path, method: str, connections: int, seconds: int, expect: int = 200) -> Run:
    """One wrk run; sessions_file lines give each request its cookie, CSRF token, path and body.

    Replies with another status than `expect` count as errors."""
    threads = min(2, connections)
    env = {**os.environ, "WRK_SESSIONS": str(sessions_file), "WRK_METHOD": method, "WRK_EXPECT": str(expect),
           "WRK_THREADS": str(threads)}  # fmt: skip
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "-s", str(WRK_SCRIPT), base],
        capture_output=True, text=True, env=env, check=True,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("JSON "))
    data = json.loads(line[5:])
    if data["errors"]:
        print(f"wrk {method} {sessions_file.name} c{connections}: {data['errors']} errors ({data['kinds']})",
              file=sys.stderr)  # fmt: skip
    return Run(
        data["requests"] / data["seconds"], data["p50"], data["p95"], data["p99"], data["errors"], data["requests"]
    )


def write_sessions(path: Path, lines: list[tuple[str, str, str, str]]) -> Path:
    path.write_text("".join("\t".join(parts) + "\n" for parts in lines), encoding="utf-8")
    return path
