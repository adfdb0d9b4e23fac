"""Real servers for the fault tests: a private Redis, Miaobi under `miaobi serve --prod`, on free ports."""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float = 10, headers: dict | None = None) -> tuple[int, "http.client.HTTPMessage", bytes]:
    """(status, headers, body) of a GET; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def site_env(data_dir: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(MIAOBI_DATA_DIR=str(data_dir), DEBUG="0", LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT),
               MIAOBI_STATS_FLUSH_SECONDS="0")
    env.update(extra)
    return env


def miaobi(env: dict, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "python"), "-m", "miaobi.cli", *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True, **kwargs)


class Server:
    """`miaobi serve --prod` in a subprocess; stopped with SIGTERM (gunicorn's graceful stop)."""

    def __init__(self, env: dict, *, server: str = "gunicorn", workers: int = 2, timeout: float = 60):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(Path(env["MIAOBI_DATA_DIR"]) / f"serve-{self.port}.log", "w+")
        self.process = subprocess.Popen(
            [str(BIN / "python"), "-m", "miaobi.cli", "serve", "--prod", "--server", server,
             "--workers", str(workers), "--port", str(self.port)],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start in {timeout} s: {self.output()}")

    def get(self, path: str, **kwargs):
        return fetch(self.base + path, **kwargs)

    def worker_pids(self, expect: int = 0, timeout: float = 15) -> list[int]:
        """The worker processes; with `expect`, wait until that many run (the master listens before
        it has forked them all)."""
        deadline = time.monotonic() + timeout
        while True:
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.process.pid)], capture_output=True, text=True)
            pids = [int(p) for p in out.stdout.split()]
            if len(pids) >= expect or time.monotonic() > deadline:
                return pids
            time.sleep(0.1)

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-4000:]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        return self.process.returncode


class PrivateRedis:
    """A redis-server of the test's own (the machine's shared Redis is never stopped)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
