"""PostgreSQL restarted under load: requests fail cleanly (503, in Chinese) and the site recovers by itself.

A private PostgreSQL instance (initdb into a temporary folder, on a free port): the machine's shared
server is never restarted. Skipped where the PostgreSQL server binaries are not installed.
"""
import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from .servers import Server, free_port, miaobi, site_env

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))


def as_postgres(*argv: str) -> None:
    # initdb refuses to run as root: the server runs as the postgres account.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *argv], check=True, capture_output=True)


@pytest.fixture(scope="module")
def private_postgres():
    if not PG_BIN or (os.geteuid() == 0 and not shutil.which("runuser")):
        pytest.skip("PostgreSQL server binaries not installed")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("no postgres account to run a private server")
    bin_dir = os.path.dirname(PG_BIN[-1])
    # Not under pytest's folders: those are private to root, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="miaobi-private-pg-"))
    account = pwd.getpwnam("postgres")
    os.chown(folder, account.pw_uid, account.pw_gid)
    data = folder / "data"
    port = free_port()
    as_postgres(f"{bin_dir}/initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
    pg_ctl = [f"{bin_dir}/pg_ctl", "-D", str(data), "-l", str(folder / "pg.log"), "-w",
              "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"]

    class Instance:
        url = f"postgres://postgres@127.0.0.1:{port}/miaobi"

        def start(self):
            as_postgres(*pg_ctl, "start")

        def stop(self):
            as_postgres(*pg_ctl, "-m", "fast", "stop")

    instance = Instance()
    instance.start()
    as_postgres(f"{bin_dir}/createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "miaobi")
    yield instance
    subprocess.run(["runuser", "-u", "postgres", "--", *pg_ctl, "-m", "immediate", "stop"], capture_output=True)
    shutil.rmtree(folder, ignore_errors=True)


def test_postgres_restarted_during_requests(private_postgres, tmp_path):
    env = site_env(tmp_path, DATABASE_URL=private_postgres.url)
    miaobi(env, "migrate", "--noinput", "-v0")
    miaobi(env, "demo")
    server = Server(env, server="gunicorn", workers=2)
    answers, stop = [], threading.Event()
    try:
        status, _, body = server.get("/")
        articles = sorted(set(re.findall(r'href="(/a/\d+/)"', body.decode())))
        paths = [*articles, "/search/?q=%E5%B7%A5%E4%BD%9C", "/search/?q=%E5%8F%91%E5%B1%95"]  # 工作, 发展

        def load():
            n = 0
            while not stop.is_set():
                path = paths[n % len(paths)]
                n += 1
                try:
                    status, headers, body = server.get(path, timeout=15)
                    answers.append((time.monotonic(), path, status, body.decode("utf-8", "replace")))
                except OSError as exc:
                    answers.append((time.monotonic(), path, None, repr(exc)))
                time.sleep(0.02)

        thread = threading.Thread(target=load)
        thread.start()
        time.sleep(1.5)
        private_postgres.stop()
        time.sleep(2)
        private_postgres.start()
        restarted = time.monotonic()
        time.sleep(3)
        stop.set()
        thread.join()
    finally:
        server.stop()

    unclean = [(p, s, b[:200]) for _, p, s, b in answers if s not in (200, 503)]
    assert not unclean, unclean
    outage = [b for _, _, s, b in answers if s == 503]
    assert outage, "some requests met the stopped database"
    assert all("服务暂时不可用" in b and "Traceback" not in b for b in outage)
    late = [s for t, _, s, _ in answers if t > restarted + 1.5]
    assert late and set(late) == {200}, "the site recovered without restarting Miaobi"
