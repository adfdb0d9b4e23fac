"""Import rate with duplicate checks on, into a library of --docs texts (SQLite, or DATABASE_URL).

    python bench/import.py --docs 10000 [--files 200]
    python bench/import.py --docs 100000
    python bench/import.py --docs 10000 --files 300 --profile 25   # cProfile (CPU time) of the import, top 25
    python bench/import.py --docs 10000 --publish                  # imported as published: related reading too
    python bench/import.py --docs 10000 --workers 0                # everything in one process
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/miaobi_bench_import python bench/import.py --docs 10000

Loads the synthetic corpus of bench/corpus.py as published articles (bulk, as bench/search.py does),
builds the duplicate and originality indexes in bulk (rate printed), then writes --files new .txt files
(GB18030, UTF-8 and UTF-16; 10% exact copies of library texts, 10% near-duplicates with about 5% of
their sentences changed, the rest new corpus texts) and runs the importer over the folder as
`miaobi import` does: per file its own transaction, exact and near-duplicate checks, moderation,
related reading and search indexing. Prints files per second and the index sizes. Target: >= 50 files/s.
A benchmark, not a test.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import ensure_postgres_database, load_corpus, setup_django  # noqa: E402


def index_sizes() -> dict:
    """Rows and bytes of the importer's tables (bytes where the database can tell)."""
    from django.db import DatabaseError, connection

    from miaobi.importer.models import Fingerprint, LshBucket, RecentFingerprint, TextSignature

    sizes = {}
    for model in (TextSignature, LshBucket, Fingerprint, RecentFingerprint):
        table = model._meta.db_table
        rows = model.objects.count()
        size = None
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                size = cursor.fetchone()[0]
            else:
                try:  # the table and its indexes (dbstat: an SQLite build option, present in CPython's)
                    cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name IN "
                                   "(SELECT name FROM sqlite_master WHERE tbl_name = %s)", [table])
                    size = cursor.fetchone()[0]
                except DatabaseError:
                    size = None
        sizes[table] = (rows, size)
    return sizes


def print_sizes(n: int) -> None:
    total = 0
    for table, (rows, size) in index_sizes().items():
        total += size or 0
        print(f"  {table}: {rows} rows" + (f", {size / 1024 / 1024:.1f} MB" if size else ""))
    if total:
        print(f"  indexes total: {total / 1024 / 1024:.1f} MB for {n} texts ({total / max(n, 1):,.0f} bytes per text); "
              f"on disk in the database, shared by every worker (none is held in a worker's memory)")


def prepare_library(docs: int, seed: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from miaobi.importer.index import article_bodies, bulk_index
    from miaobi.importer.services import KEY_PREFIX
    from miaobi.library.models import Article

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    # Articles imported by an earlier run on a reused library go first, so every run imports the same files.
    Article.objects.filter(external_key__startswith=KEY_PREFIX).delete()
    existing = Article.objects.count()
    if existing == 0:
        seconds = load_corpus(docs, seed)
        print(f"loaded {docs} articles in {seconds:.0f} s")
    started = time.perf_counter()
    count = bulk_index(article_bodies())
    seconds = time.perf_counter() - started
    if count:
        print(f"indexed {count} texts (signatures, LSH buckets, fingerprints) in {seconds:.0f} s ({count / seconds:.0f}/s)")


def write_files(folder: Path, docs: int, files: int, seed: int) -> dict:
    from bench.corpus import build_model, generate

    rng = random.Random(f"import:{seed}")
    model = build_model(seed)
    library = list(generate(min(docs, 2000), seed, model=model))
    fresh = generate(docs + files, seed, start=docs, model=model)
    kinds = {"new": 0, "copy": 0, "near": 0}
    encodings = ["gb18030", "utf-8", "utf-16"]
    for i in range(files):
        roll = rng.random()
        if roll < 0.1:
            doc = rng.choice(library)
            title, body, kind = doc.title, doc.body, "copy"
        elif roll < 0.2:
            doc = rng.choice(library)
            sentences = doc.body.split("。")
            for _ in range(max(1, len(sentences) // 20)):
                j = rng.randrange(len(sentences))
                sentences[j] = sentences[j][::-1]
            title, body, kind = doc.title + "（修订）", "。".join(sentences), "near"
        else:
            doc = next(fresh)
            title, body, kind = doc.title, doc.body, "new"
        kinds[kind] += 1
        (folder / f"{i:05d}.txt").write_bytes(f"{title}\n{body}".encode(encodings[i % 3]))
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", help="an SQLite data directory of an earlier run with the same --docs")
    parser.add_argument("--publish", action="store_true", help="import as published (related reading, search index)")
    parser.add_argument("--workers", type=int, help="worker processes (default: what `miaobi import` uses)")
    parser.add_argument("--profile", type=int, metavar="N", help="run the import under cProfile, print the top N functions")
    args = parser.parse_args()
    data_dir = None
    if os.environ.get("DATABASE_URL"):
        ensure_postgres_database(os.environ["DATABASE_URL"])
    else:
        data_dir = args.reuse or tempfile.mkdtemp(prefix="miaobi-import-bench-")
        print(f"data directory: {data_dir}")
    setup_django(data_dir)
    prepare_library(args.docs, args.seed)
    print_sizes(args.docs)

    from miaobi.importer.pipeline import import_workers
    from miaobi.importer.services import ImportOptions, import_paths

    with tempfile.TemporaryDirectory() as folder:
        kinds = write_files(Path(folder), args.docs, args.files, args.seed)
        # CPU time is charged to this process only: a fairer figure than wall time on a shared machine.
        profiler = cProfile.Profile(time.process_time) if args.profile else None
        children_started = resource.getrusage(resource.RUSAGE_CHILDREN)
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        summary, _ = import_paths([folder], ImportOptions(publish=args.publish), workers=args.workers)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the worker processes, once they have exited
        children_cpu = (children.ru_utime + children.ru_stime) - (children_started.ru_utime + children_started.ru_stime)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.profile * 2)
    workers = import_workers() if args.workers is None else args.workers
    print(f"files: {kinds}; worker processes: {workers}")
    print(f"imported {len(summary['imported'])}, duplicates {len(summary['duplicates'])}, "
          f"near-duplicates {len(summary['near_duplicates'])}, errors {len(summary['errors'])}")
    print(f"import rate at {args.docs} texts: {args.files / seconds:.1f} files/s ({1000 * seconds / args.files:.1f} ms per file); "
          f"CPU time of this process {1000 * cpu_seconds / args.files:.1f} ms per file, of the workers "
          f"{1000 * children_cpu / args.files:.1f} ms per file; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"peak memory of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
