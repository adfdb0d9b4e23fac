"""`miaobi copydb --to postgres://…`: copy the whole site into another (empty) database."""
import sys

from django.core.management.base import BaseCommand, CommandError

from miaobi.ops.copydb import copy_database, describe
from miaobi.ops.database import OpsError


class Command(BaseCommand):
    help = ("Copy every row of this site's database into an empty database (e.g. SQLite to PostgreSQL): "
            "migrate the target, copy table by table, reset sequences, verify row counts. "
            "Stop the web and worker processes first.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, metavar="URL",
                            help="the target database, e.g. postgres://miaobi@127.0.0.1:5432/miaobi")
        parser.add_argument("--force", action="store_true", help="drop the target's existing tables first")

    def handle(self, *args, to, force, **options):
        def progress(label, rows):
            if options["verbosity"] > 1 or rows > 10000:
                sys.stderr.write(f"  {label}: {rows} rows\n")

        try:
            report = copy_database(to, force=force, progress=progress)
        except OpsError as exc:
            raise CommandError(f"copy failed: {exc}") from exc
        self.stdout.write(describe(report))
        self.stdout.write("next: set DATABASE_URL to the target and restart the web and worker processes.")
