"""Load test: the production server on loopback, wrk driving a mix of pages, beside a bare Django view.

    python bench/load.py --docs 100000 --keep                  # SQLite; prints the data dir it kept
    python bench/load.py --docs 100000 --reuse DIR             # later runs skip the 100k load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load REDIS_URL=redis://127.0.0.1:6379/3 \\
        python bench/load.py --docs 100000                     # PostgreSQL + Redis (a dedicated database)
    make load                                                  # the first line, 100k texts, both servers

Loads the corpus of bench/corpus.py as published articles (as bench/search.py does) and indexes it for
search, then for each server (--servers gunicorn,granian) starts `miaobi serve --prod` with the bench
settings (the site plus /__bench__/bare/, a view that returns a page of the same size and nothing
else) and runs wrk for --duration seconds on each of:
- bare:    the bare view;
- article: anonymous article pages, one of --articles different URLs per request (wrk Lua), chosen
           with Zipf popularity (the k-th most read is read 1/k as often as the first), as readers
           of a content site do: a few texts are read all the time, most rarely;
- mix:     home 15%, lists (genres, tags, pages 1-5) 20%, articles 50%, searches 15% (queries Zipf too).
It prints requests/s, p50 and p99 latency and non-2xx responses of each, the ratios article/bare and
mix/bare, and the RSS of each worker after the runs. Targets (issue #10): zero errors, article >= 60%
and mix >= 40% of bare (the anonymous page cache is what makes this possible), workers <= 250 MB.
Searches are not rate-limited here (MIAOBI_SEARCH_RATE=off): wrk comes from one IP.

This is a benchmark, not a test; the machine should be quiet while it runs.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from bench.search import build_queries, ensure_postgres_database, load_corpus, setup_django  # noqa: E402

LUA = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
math.randomseed(os.time() + math.floor(os.clock() * 1e6))
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""


def prepare(args) -> None:
    """Load and index the corpus unless the database already holds it."""
    from django.core.management import call_command
    from django.db import connection

    from miaobi.library.models import Article
    from miaobi.search import services
    from miaobi.search.backends import get_backend

    existing = Article.objects.count() if "library_article" in connection.introspection.table_names() else 0
    if existing not in (0, args.docs):
        raise SystemExit(f"the database holds {existing} articles, not 0 or {args.docs}: use a dedicated database")
    call_command("migrate", verbosity=0)
    if existing:
        print(f"reusing {existing} loaded articles")
        return
    seconds = load_corpus(args.docs, args.seed)
    print(f"loaded {args.docs} articles in {seconds:.0f} s")
    started = time.perf_counter()
    services.index_articles(list(Article.objects.values_list("pk", flat=True)))
    get_backend().optimize()
    print(f"indexed for search in {time.perf_counter() - started:.0f} s")


def url_sets(args) -> dict[str, list[str]]:
    from urllib.parse import quote

    from miaobi.library.models import Article, Genre, Tag

    rng = random.Random(args.seed)
    ids = list(Article.objects.published().values_list("pk", flat=True))
    distinct = [Article(pk=pk).get_absolute_url() for pk in rng.sample(ids, min(args.articles, len(ids)))]
    weights = [1 / rank for rank in range(1, len(distinct) + 1)]
    articles = rng.choices(distinct, weights=weights, k=max(20 * len(distinct), 20_000))
    lists = [g.get_absolute_url() for g in Genre.objects.all()] + [t.get_absolute_url() for t in Tag.objects.all()]
    lists += [f"{url}?page={n}" for url in lists[:10] for n in range(2, 6)]
    searches = [f"/search/?q={quote(q)}" for q in build_queries(args.seed)]
    searches = rng.choices(searches, weights=[1 / rank for rank in range(1, len(searches) + 1)], k=20_000)
    kinds = rng.choices(["home", "list", "article", "search"], weights=[15, 20, 50, 15], k=20_000)
    pick = {"home": lambda: "/", "list": lambda: rng.choice(lists), "article": lambda: rng.choice(articles),
            "search": lambda: rng.choice(searches)}
    return {"bare": ["/__bench__/bare/"], "article": articles, "mix": [pick[kind]() for kind in kinds]}


def wrk(base: str, paths_file: Path, duration: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    env = {**os.environ, "BENCH_PATHS": str(paths_file)}
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name,
                          base + "/"], capture_output=True, text=True, check=True, env=env).stdout
    os.unlink(script.name)

    def ms(label):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50%"), "p99": ms("99%"),
            "non2xx": int(errors.group(1)) if errors else 0,
            "socket": sum(map(int, socket_errors.groups())) if socket_errors else 0}


def serve(server: str, workers: int, env: dict) -> tuple[subprocess.Popen, str]:
    from miaobi.scale.tests.servers import free_port

    port = free_port()
    process = subprocess.Popen([str(BIN / "python"), "-m", "miaobi.cli", "serve", "--prod", "--server", server,
                                "--workers", str(workers), "--port", str(port)], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/__bench__/bare/", timeout=2).read()
            return process, base
        except OSError:
            if process.poll() is not None:
                raise SystemExit(f"{server} exited with {process.returncode}")
            time.sleep(0.1)
    process.terminate()
    raise SystemExit(f"{server} did not start")


def worker_rss_mb(pid: int) -> list[float]:
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(kb) / 1024 for kb in out.split()]


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite data directory")
    parser.add_argument("--reuse", help="an SQLite data directory loaded by an earlier --keep run")
    parser.add_argument("--servers", default="gunicorn,granian")
    parser.add_argument("--workers", type=int, help="default: what `miaobi serve --prod` picks for this machine")
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--articles", type=int, default=5000, help="different article URLs in the article run")
    parser.add_argument("--warmup", type=int, default=30,
                        help="seconds of the same traffic before each measured run (the state of a site that "
                             "has been serving readers: popular pages cached); 3 gives a near-cold start")
    args = parser.parse_args()

    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    data_dir = args.reuse or tempfile.mkdtemp(prefix="miaobi-load-")
    if postgres:
        ensure_postgres_database(os.environ["DATABASE_URL"])
    setup_django(data_dir)
    prepare(args)
    urls = url_sets(args)
    files = {}
    for name, paths in urls.items():
        files[name] = Path(data_dir) / f"load-{name}.txt"
        files[name].write_text("\n".join(paths) + "\n")

    from miaobi.scale import prod

    env = {**os.environ, "MIAOBI_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
           "PYTHONPATH": str(ROOT), "MIAOBI_SEARCH_RATE": "off", "DEBUG": "0", "LOG_LEVEL": "WARNING",
           "BENCH_BARE_SIZE": os.environ.get("BENCH_BARE_SIZE", "20000")}
    database = "PostgreSQL" if postgres else "SQLite"
    cache = "Redis" if os.environ.get("REDIS_URL") else "local memory + shared files in the data dir"
    load = os.getloadavg()
    print(f"load benchmark: {args.docs} texts, {database}, cache {cache}, wrk 2 threads {args.connections} "
          f"connections {args.duration} s per run, {prod.cores()} cores, load average before {load[0]:.1f}")
    try:
        for server in args.servers.split(","):
            workers = args.workers or prod.default_workers(server)
            process, base = serve(server, workers, env)
            try:
                for name in ("article", "mix"):  # unmeasured: templates, connections, and the caches
                    wrk(base, files[name], args.warmup, args.connections)  # of a site that has been up
                results = {name: wrk(base, files[name], args.duration, args.connections) for name in urls}
                rss = worker_rss_mb(process.pid)
            finally:
                process.terminate()
                process.wait()
            print(f"{server}, {workers} workers:")
            for name, r in results.items():
                ratio = "" if name == "bare" else f"  {r['rps'] / results['bare']['rps']:5.0%} of bare"
                print(f"  {name:8} {r['rps']:8.1f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms  "
                      f"non-2xx {r['non2xx']}  socket errors {r['socket']}{ratio}")
            print(f"  worker RSS after the runs: {', '.join(f'{mb:.0f}' for mb in rss)} MB "
                  f"(target <= 250 MB each)")
        print("targets: zero errors, article >= 60% and mix >= 40% of bare")
    finally:
        if args.keep and not postgres:
            print(f"kept {data_dir} (next time: --reuse {data_dir})")
        elif not args.reuse and not postgres:
            import shutil

            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
