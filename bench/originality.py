"""Time of an originality check (查重) of a 3,000-character text against a library of --docs texts.

    python bench/originality.py --docs 10000 [--reuse DIR]
    python bench/originality.py --docs 100000

Prepares the library as bench/import.py does (corpus, bulk index), then checks 30 texts of about 3,000
characters: each made of passages copied from three library texts (about 30%) and new corpus text.
Prints p50/p95 and the mean reported share. Target: a check <= 300 ms. A benchmark, not a test.
"""
from __future__ import annotations

import argparse
import importlib
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import ensure_postgres_database, percentile, setup_django  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--checks", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", help="an SQLite data directory of an earlier run with the same --docs")
    args = parser.parse_args()
    data_dir = None
    if os.environ.get("DATABASE_URL"):
        ensure_postgres_database(os.environ["DATABASE_URL"])
    else:
        data_dir = args.reuse or tempfile.mkdtemp(prefix="miaobi-originality-bench-")
        print(f"data directory: {data_dir}")
    setup_django(data_dir)
    bench_import = importlib.import_module("bench.import")
    bench_import.prepare_library(args.docs, args.seed)
    bench_import.print_sizes(args.docs)

    from bench.corpus import build_model, generate
    from miaobi.importer.originality import originality_report
    from miaobi.library.models import Article

    rng = random.Random(f"originality:{args.seed}")
    model = build_model(args.seed)
    fresh = generate(args.docs + args.checks * 2, args.seed, start=args.docs, model=model)
    ids = list(Article.objects.values_list("pk", flat=True)[:5000])
    times, shares, found = [], [], []
    for _ in range(args.checks):
        sources = Article.objects.filter(pk__in=rng.sample(ids, 3))
        copied = []
        for article in sources:
            start = rng.randrange(max(1, len(article.body) - 300))
            copied.append(article.body[start:start + 300])
        new = (next(fresh).body + next(fresh).body)[:2100]
        parts = [new[:700], copied[0], new[700:1400], copied[1], new[1400:], copied[2]]
        text = "\n".join(parts)
        started = time.perf_counter()
        report = originality_report(text)
        times.append(1000 * (time.perf_counter() - started))
        shares.append(report["percent"])
        found.append(len({s["id"] for s in report["sources"]} & {a.pk for a in sources}))
    print(f"checks of ~3,000-character texts (30% copied from 3 texts) against {args.docs} texts:")
    print(f"  p50 {statistics.median(times):.0f} ms, p95 {percentile(times, 95):.0f} ms, max {max(times):.0f} ms")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; peak memory of this process "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (the index stays in the database)")
    print(f"  reported share: mean {statistics.mean(shares):.1f}% (min {min(shares):.1f}, max {max(shares):.1f}); "
          f"planted sources found: {sum(found)}/{3 * len(found)}")


if __name__ == "__main__":
    main()
