import sys
import time

from django.core.management.base import BaseCommand

from miaobi.search.services import index_size_bytes, reindex_all


class Command(BaseCommand):
    help = "Rebuild the full-text search index from every published article (progress on stderr)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, quiet=False, **options):
        started = time.monotonic()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if quiet or (now - last[0] < 0.5 and done < total):
                return
            last[0] = now
            width = 30
            filled = int(width * done / max(total, 1))
            rate = done / max(now - started, 1e-6)
            sys.stderr.write(f"\rindexing [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ({rate:.0f}/s)")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()

        count = reindex_all(progress=progress)
        seconds = time.monotonic() - started
        size = index_size_bytes()
        size_text = f", index {size / 1e6:.1f} MB" if size else ""
        self.stdout.write(f"search index rebuilt: {count} published articles in {seconds:.1f} s{size_text}.")
