"""The production server of `miaobi serve --prod`: which server, how many workers, what to load first.

Servers, measured with bench/load.py (figures in its docstring):
- gunicorn, sync workers, `--preload`: the app and its indexes are loaded once in the master and
  shared copy-on-write by the forked workers. One request per worker at a time, so workers = the
  CPU work the machine can do: the pages are CPU-bound (templates, segmentation, SQLite in the
  process), so 2 × cores + 1 — the classic rule for I/O-bound apps — only adds memory and queueing;
  we take cores + 1 (one spare to cover a worker blocked on disk or the database).
- granian (WSGI): a Rust HTTP front in each worker, the app loaded in each worker (warm-up per
  worker), requests handed to a few Python threads. Workers = cores, 2 threads each.

Database connections are never shared across a fork: `warm_up` closes every connection it opened,
so each worker opens its own on its first request.
"""
from __future__ import annotations

import logging
import os
import shutil
import sys
import time

log = logging.getLogger("miaobi.serve")

SERVERS = ("gunicorn", "granian")
DEFAULT_SERVER = "gunicorn"
GRANIAN_THREADS = 2


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers(server: str, n_cores: int | None = None) -> int:
    """WEB_CONCURRENCY if set, else the count for this server on this machine (see the module docstring)."""
    if os.environ.get("WEB_CONCURRENCY"):
        return max(1, int(os.environ["WEB_CONCURRENCY"]))
    n_cores = n_cores or cores()
    return n_cores + 1 if server == "gunicorn" else n_cores


def warm_up() -> None:
    """Load the per-process indexes the first requests would otherwise pay for, then close the database.

    Safe before a fork: plain Python and Rust data with no threads or sockets behind them; the
    only connection opened (the moderation lexicon is read from the database) is closed again.
    """
    from django.db import connections

    from miaobi import segmentation
    from miaobi.moderation import lint, normalize, services
    from miaobi.search.text import to_simplified

    started = time.perf_counter()
    segmentation.segment("妙笔")  # rjieba + the 公文 dictionary
    normalize.normalise("預熱")  # folding tables (繁→简, NFKC)
    lint.collocation_index()
    to_simplified("預熱")  # OpenCC, per thread (the sync worker's requests run on this thread)
    try:
        services.current_lexicon()  # the moderation automaton
    except Exception as exc:  # noqa: BLE001 - an unmigrated or unreachable database: build it on first use
        log.warning("warm-up: moderation lexicon not loaded (%s); it loads on first use", exc)
    _compile_templates()
    connections.close_all()
    log.info("warm-up done in %.1f s", time.perf_counter() - started)


def _compile_templates() -> None:
    from django.template import engines

    for engine in engines.all():
        env = getattr(engine, "env", None)  # the Jinja2 engine of the public pages
        if env is None:
            continue
        for name in env.list_templates(filter_func=lambda n: n.endswith(".html")):
            env.get_template(name)


def executable(name: str) -> str:
    found = shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} is not installed in this environment")
    return found


def command(server: str, *, host: str, port: int, workers: int, app: str = "miaobi.scale.wsgi:application",
            access_log: bool = False) -> list[str]:
    """The argv that runs `app` under `server`."""
    if server == "gunicorn":
        argv = [executable("gunicorn"), app, "--bind", f"{host}:{port}", "--workers", str(workers),
                "--worker-class", "sync", "--preload", "--graceful-timeout", "10", "--timeout", "30",
                "--no-control-socket"]  # gunicorn 27: one shared ~/.gunicorn/gunicorn.ctl otherwise
        # %(U)s: the path without the query string (tracking tokens must not reach the logs).
        return argv + (["--access-logfile", "-", "--access-logformat", '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms']
                       if access_log else [])
    if server == "granian":
        argv = [executable("granian"), "--interface", "wsgi", "--host", host, "--port", str(port),
                "--workers", str(workers), "--blocking-threads", str(GRANIAN_THREADS),
                "--respawn-failed-workers", "--workers-kill-timeout", "10", "--log-level", "warning"]
        return argv + ["--access-log" if access_log else "--no-access-log", app]
    raise ValueError(f"unknown server {server!r}: choose from {', '.join(SERVERS)}")
