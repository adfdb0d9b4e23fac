"""Article page throughput against a bare Django view, both served by gunicorn on loopback.

    python bench/pages.py [--workers 2] [--duration 10] [--connections 16] [--page-cache]

Loads the demo library into a temporary data directory, starts gunicorn, runs wrk once per URL,
and prints requests/s and p99 latency for each and their ratio (target: article/bare >= 0.2,
without any page cache: the anonymous page cache is off unless --page-cache). Needs wrk (Debian
package `wrk`).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_wrk(url: str, duration: int, connections: int) -> tuple[float, float]:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99_value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99_ms = float(p99_value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"wrk saw {non2xx.group(1)} error responses from {url}")
    return rps, p99_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--page-cache", action="store_true", help="keep the anonymous page cache on")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    data_dir = tempfile.mkdtemp(prefix="miaobi-bench-")
    env = {**os.environ, "MIAOBI_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
           "DEBUG": "0", "PYTHONPATH": str(ROOT), "DATABASE_URL": os.environ.get("DATABASE_URL", ""),
           "MIAOBI_PAGE_CACHE_SECONDS": "60" if args.page_cache else "0"}
    miaobi = [str(BIN / "python"), "-m", "miaobi.cli"]
    subprocess.run([*miaobi, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*miaobi, "demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    article_path = subprocess.run(
        [*miaobi, "shell", "-c", "from miaobi.library.models import Article; "
         "print(Article.objects.published().order_by('id').first().get_absolute_url())"],
        env=env, check=True, cwd=ROOT, capture_output=True, text=True).stdout.strip().splitlines()[-1]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = None
    try:
        # Measure the article page's size first, then start the server with a bare page of that size.
        for attempt in range(2):
            server = subprocess.Popen(
                [str(BIN / "gunicorn"), "bench.bench_wsgi:application", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(args.workers), "--log-level", "warning"], env=env, cwd=ROOT)
            for _ in range(100):
                try:
                    size = len(urllib.request.urlopen(base + article_path, timeout=2).read())
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                raise SystemExit("gunicorn did not start")
            if attempt == 0:
                server.terminate()
                server.wait()
                env["BENCH_BARE_SIZE"] = str(size)
        assert len(urllib.request.urlopen(base + "/__bench__/bare/").read()) == size

        article = run_wrk(base + article_path, args.duration, args.connections)
        bare = run_wrk(base + "/__bench__/bare/", args.duration, args.connections)
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)

    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(f"pages benchmark: gunicorn {args.workers} workers, wrk 2 threads {args.connections} connections "
          f"{args.duration}s each, {database}, page {size} bytes, "
          f"page cache {'on' if args.page_cache else 'off'}")
    print(f"  article page {article_path:>8}: {article[0]:8.1f} req/s  p99 {article[1]:7.1f} ms")
    print(f"  bare view    {'':>8}: {bare[0]:8.1f} req/s  p99 {bare[1]:7.1f} ms")
    print(f"  ratio article/bare: {article[0] / bare[0]:.2f} (target >= 0.20)")


if __name__ == "__main__":
    main()
