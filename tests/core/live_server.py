"""The app served by a real server process (gunicorn as in docs/deploy.md, or `flask run` as `make run`), on the
test database, for tests that kill workers or read what the server itself puts on the wire."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def server_config(app: Flask, upload_dir: Path, **extra: Any) -> dict[str, Any]:
    """The settings of the test app (same database, same secret, so its cookies work), with its own storage."""
    return {
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "PASSWORD_HASH_FAST": True,
        "UPLOAD_DIR": str(upload_dir),
        "EXPORT_DIR": str(upload_dir.parent / "exports"),
        **extra,
    }


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    port: int

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the master's children."""
        return [pid for pid in _all_pids() if _parent(pid) == self.process.pid]

    def kill_worker(self) -> int:
        """SIGKILL the (only) worker, as the OOM killer or a power cut would; returns its pid."""
        (pid,) = self.worker_pids()
        os.kill(pid, signal.SIGKILL)
        return pid

    def get(self, path: str) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_gunicorn(config: dict[str, Any]) -> LiveServer:
    """One gthread worker, as docs/deploy.md runs it (with fewer workers)."""
    port = _free_port()
    command = [str(BIN / "gunicorn"), "--workers", "1", "--worker-class", "gthread", "--threads", "2",
               "--bind", f"127.0.0.1:{port}", "--timeout", "120", _app_spec(config)]  # fmt: skip
    return _start(command, port, config)


def start_flask_run(config: dict[str, Any]) -> LiveServer:
    """Werkzeug's development server, as `make run` serves the app."""
    port = _free_port()
    command = [str(BIN / "flask"), "--app", _app_spec(config), "run", "--host", "127.0.0.1", "--port", str(port)]
    return _start(command, port, config)


def _app_spec(config: dict[str, Any]) -> str:
    return f"survey_app:create_app(test_config={config!r})"


def _start(command: list[str], port: int, config: dict[str, Any]) -> LiveServer:
    env = {**os.environ, "SECRET_KEY": config["SECRET_KEY"], "PYTHONUNBUFFERED": "1"}
    env.pop("FLASK_DEBUG", None)
    # not a pipe: a server logging every request would fill it and block; closed with the process
    log = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    server = LiveServer(process, port)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError("server did not start")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])
