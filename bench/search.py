"""Search latency at scale: the search service against the bare index query it issues.

    python bench/search.py --docs 100000            # SQLite in a temporary data directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miaobi_bench python bench/search.py --docs 100000

Loads the synthetic corpus of bench/corpus.py (deterministic) as published articles, builds the
search index with the service (index build rate and size are printed), then runs a fixed set of
200 queries (one, two and three terms; very common words such as 工作 and 发展, rare place names,
single characters) in the same run: through the service (parse, search, guard, re-rank, facets,
snippets for the first page: everything but the template) and as the bare index query the service
issues (backend.candidates: SQL and fetching only). Each query runs --repeats times (alternating
which of the two goes first); the median per query is kept, and p50/p95/p99 over the 200 queries
are printed for both with their ratio (and the p95 of all single runs). For reference also the
service with no preview cached (every snippet's preview built anew) and the full page (view +
template).

With DATABASE_URL the corpus goes into that database: use a dedicated one (it is created if
missing, and must hold no other articles). --keep keeps the SQLite data directory; --reuse DIR
(or a PostgreSQL database already loaded with the same --docs) skips loading and indexing.
Targets at 100,000 texts: SQLite p95 service <= 1.5x bare and <= 100 ms; PostgreSQL p95 <= 150 ms.
This is a benchmark, not a test: it is not part of `make test`.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERY_COUNT = 200
LOAD_BATCH = 1000


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def setup_django(data_dir: str | None) -> None:
    if data_dir:
        os.environ["MIAOBI_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaobi.settings")
    os.environ["MIAOBI_SEARCH_RATE"] = "off"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def ensure_postgres_database(url: str) -> None:
    """Create the bench database if it does not exist (connecting to the server's `postgres` database)."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    try:
        psycopg.connect(dbname=cfg["NAME"], user=cfg["USER"], host=cfg["HOST"], port=cfg["PORT"] or 5432,
                        password=cfg["PASSWORD"] or None).close()
    except psycopg.OperationalError:
        with psycopg.connect(dbname="postgres", user=cfg["USER"], host=cfg["HOST"], port=cfg["PORT"] or 5432,
                             password=cfg["PASSWORD"] or None, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def load_corpus(n: int, seed: int) -> float:
    """Bulk-load n corpus documents as published articles; returns seconds."""
    from django.db import transaction
    from django.utils import timezone

    from bench.corpus import build_model, generate
    from miaobi.library.demo.loader import ensure_catalogue
    from miaobi.library.models import Article, Genre, Tag

    ensure_catalogue()
    genres = {g.slug: g.pk for g in Genre.objects.all()}
    tags = {t.name: t.pk for t in Tag.objects.all()}
    now = timezone.now()
    through = Article.tags.through
    started = time.perf_counter()
    model = build_model(seed)
    batch, links = [], []

    def flush():
        with transaction.atomic():
            created = Article.objects.bulk_create(batch)
            through.objects.bulk_create(
                through(article_id=article.pk, tag_id=tags[name])
                for article, names in zip(created, links) for name in names if name in tags)
        batch.clear()
        links.clear()

    for i, doc in enumerate(generate(n, seed, model=model)):
        article = Article(title=doc.title[:200], body=doc.body, genre_id=genres[doc.genre], status=Article.Status.PUBLISHED,
                          published_at=now - timedelta(days=doc.days_ago, minutes=i % 600), external_key=doc.key)
        article.word_count = len("".join(doc.body.split()))
        batch.append(article)
        links.append(doc.tags)
        if len(batch) >= LOAD_BATCH:
            flush()
            print(f"\rloading {i + 1}/{n}", end="", file=sys.stderr, flush=True)
    if batch:
        flush()
    print(file=sys.stderr)
    return time.perf_counter() - started


def build_queries(seed: int) -> list[str]:
    """200 fixed queries: common and rare words, single characters, two and three terms."""
    from collections import Counter

    from bench.corpus import build_model, generate
    from miaobi.segmentation import segment

    model = build_model(seed)
    counts: Counter = Counter()
    for doc in generate(300, seed, model=model):
        counts.update(w for w in segment(doc.body) if len(w) >= 2 and not w.isdigit())
    ranked = [w for w, _ in counts.most_common()]
    common = ["工作", "发展", "问题", "建设", "群众", "推进", "服务", "加强"] + ranked[:40]
    common = list(dict.fromkeys(common))[:40]
    middle = ranked[200:1200]
    rare = ranked[-2000:] + model.places[200:3000] + model.units[200:3000]
    chars = list("党会水廉村学工安民法治心年干部教育医企业")
    rng = random.Random(f"queries:{seed}")
    queries = list(dict.fromkeys(
        common[:30]                                                   # 30 very common words
        + rng.sample(middle, 20) + rng.sample(rare, 20)                # 40 mid and rare words
        + chars                                                        # 20 single characters
        + [f"{rng.choice(common)} {rng.choice(common)}" for _ in range(20)]
        + [f"{rng.choice(common)}{rng.choice(middle)}" for _ in range(15)]   # joined, no space
        + [f"{rng.choice(common)} {rng.choice(rare)}" for _ in range(15)]
        + [f"{rng.choice(middle)} {rng.choice(middle)}" for _ in range(10)]
        + [f"{rng.choice(common)} {rng.choice(common)} {rng.choice(common)}" for _ in range(15)]
        + [f"{rng.choice(common)} {rng.choice(middle)} {rng.choice(middle)}" for _ in range(15)]
        + [f"{rng.choice(middle)} {rng.choice(rare)} {rng.choice(common)}" for _ in range(10)]
        + [f"{rng.choice(chars)} {rng.choice(common)}" for _ in range(5)]
    ))
    while len(queries) < QUERY_COUNT:  # (duplicates in the samples above are dropped)
        queries.append(f"{rng.choice(middle)} {rng.choice(common)}")
        queries = list(dict.fromkeys(queries))
    return queries[:QUERY_COUNT]


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite data directory")
    parser.add_argument("--reuse", help="an SQLite data directory loaded by an earlier --keep run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each query (their median counts)")
    parser.add_argument("--sqlite-cache-mb", type=int, default=0,
                        help="SQLite only: PRAGMA cache_size and mmap_size of this many MB for the run "
                             "(the site's default page cache is 2 MB)")
    args = parser.parse_args()

    postgres = bool(os.environ.get("DATABASE_URL"))
    data_dir = None
    if postgres:
        ensure_postgres_database(os.environ["DATABASE_URL"])
    else:
        data_dir = args.reuse or tempfile.mkdtemp(prefix="miaobi-search-bench-")
    setup_django(data_dir)

    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection
    from django.test import RequestFactory

    from miaobi.library.models import Article
    from miaobi.search import services, views
    from miaobi.search.backends import Filters, get_backend
    from miaobi.search.query import parse_query

    existing = 0
    if "library_article" in connection.introspection.table_names():
        existing = Article.objects.count()
    # A loaded corpus gets the search app's migrations only: other apps' data migrations may walk
    # every article (that is their cost, not search's).
    call_command("migrate", *(["search"] if existing else []), verbosity=0)
    print(f"database: {connection.vendor} ({os.environ.get('DATABASE_URL') or data_dir})")
    if existing not in (0, args.docs):
        raise SystemExit(f"the database holds {existing} articles, not 0 or {args.docs}: use a dedicated database")
    if existing == 0:
        seconds = load_corpus(args.docs, args.seed)
        print(f"loaded {args.docs} articles in {seconds:.0f} s ({args.docs / seconds:.0f}/s)")
        ids = list(Article.objects.values_list("pk", flat=True))
        started = time.perf_counter()
        last = [0.0]

        def progress(done, total):
            if time.perf_counter() - last[0] > 2 or done == total:
                last[0] = time.perf_counter()
                print(f"\rindexing {done}/{total}", end="", file=sys.stderr, flush=True)

        services.index_articles(ids, progress=progress)
        build = time.perf_counter() - started
        print(file=sys.stderr)
        started = time.perf_counter()
        get_backend().optimize()
        optimize = time.perf_counter() - started
        print(f"index build: {args.docs} texts in {build:.0f} s = {args.docs / build:.0f} texts/s "
              f"(+ {optimize:.0f} s optimize/analyze)")
    else:
        print(f"reusing {existing} loaded articles")
    size = get_backend().size_bytes()
    corpus_chars = sum(len(b) for b in Article.objects.values_list("body", flat=True).iterator(chunk_size=2000))
    print(f"index size: {size / 1e6:.0f} MB for {corpus_chars / 1e6:.0f} M characters of text "
          f"({size / max(corpus_chars * 3, 1):.2f}x the UTF-8 text)")

    if args.sqlite_cache_mb and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{args.sqlite_cache_mb * 1024}")
            cursor.execute(f"PRAGMA mmap_size = {args.sqlite_cache_mb * 1024 * 1024}")
        print(f"SQLite page cache and mmap: {args.sqlite_cache_mb} MB")
    queries = build_queries(args.seed)
    backend = get_backend()
    factory = RequestFactory()
    anonymous = AnonymousUser()

    def bare(q):
        backend.candidates(parse_query(q), Filters(), services.SEARCH_CANDIDATES)

    def service(q):
        parsed = parse_query(q)
        outcome = services.search(parsed)
        services.page_results(outcome.shown[:20], parsed, anonymous)

    def service_cold(q):
        services._preview_texts.items.clear()  # every preview of the page built anew
        service(q)

    def page(q):
        request = factory.get("/search/", {"q": q})
        request.user = anonymous
        assert views.search(request).status_code == 200

    measure_page = True
    try:
        page(queries[0])
    except Exception as exc:  # noqa: BLE001 - the page needs every app's URLs; the service does not
        measure_page = False
        print(f"(full page not measured: {type(exc).__name__}: {exc})")
    for q in queries:  # warm the caches once, as a running site would be
        service(q)
    names = ["bare", "service", "cold"] + (["page"] if measure_page else [])
    fns = {"bare": bare, "service": service, "cold": service_cold, "page": page}
    raw: dict[str, list[float]] = {n: [] for n in names}
    per_query: dict[str, list[float]] = {n: [] for n in names}
    for i, q in enumerate(queries):
        samples: dict[str, list[float]] = {n: [] for n in names}
        for r in range(args.repeats):
            # Alternate which runs first: the first run of a query pays for pages the second finds cached.
            order = names[:2] if (i + r) % 2 else names[1::-1]
            for name in order + names[2:]:
                started = time.perf_counter()
                fns[name](q)
                samples[name].append((time.perf_counter() - started) * 1000)
        for name in names:
            raw[name].extend(samples[name])
            per_query[name].append(statistics.median(samples[name]))

    print(f"\n{len(queries)} queries, each run {args.repeats} times; milliseconds "
          f"(percentiles over the 200 per-query medians; p95 of all runs in the last column):")
    print(f"{'':10} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'p95 all':>8}")
    labels = {"bare": "bare", "service": "service", "cold": "svc-cold", "page": "page"}
    for name in names:
        v = per_query[name]
        print(f"{labels[name]:10} {percentile(v, 50):8.1f} {percentile(v, 95):8.1f} {percentile(v, 99):8.1f} "
              f"{max(v):8.1f} {percentile(raw[name], 95):8.1f}")
    ratio95 = percentile(per_query["service"], 95) / max(percentile(per_query["bare"], 95), 1e-9)
    ratio50 = percentile(per_query["service"], 50) / max(percentile(per_query["bare"], 50), 1e-9)
    ratio_all = percentile(raw["service"], 95) / max(percentile(raw["bare"], 95), 1e-9)
    print(f"service/bare: p50 {ratio50:.2f}x, p95 {ratio95:.2f}x (p95 of all runs {ratio_all:.2f}x)")
    print("svc-cold: the service with no preview cached (every snippet's preview built anew); "
          "page: view and template, for reference")
    slowest = sorted(zip(per_query["service"], per_query["bare"], queries), reverse=True)[:5]
    print("slowest service queries: " + ", ".join(f"{q!r} {s:.0f}/{b:.0f} ms" for s, b, q in slowest))
    outcome_sizes = [services.search(parse_query(q)).count for q in queries[:30]]
    print(f"matches of the 30 common-word queries (capped at {services.SEARCH_CANDIDATES}): "
          f"median {statistics.median(outcome_sizes):.0f}")
    if data_dir and not args.keep and not args.reuse:
        import shutil

        connection.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    elif data_dir:
        print(f"data kept in {data_dir} (reuse with --reuse {data_dir})")


if __name__ == "__main__":
    main()
