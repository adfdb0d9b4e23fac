"""`miaobi backup OUT.tar.gz`: a consistent snapshot of the database, the uploaded files and the key."""
from django.core.management.base import BaseCommand, CommandError

from miaobi.ops.backup import create_backup
from miaobi.ops.database import OpsError, vendor_label


class Command(BaseCommand):
    help = "Write a backup archive: database snapshot, uploaded files, secret key, manifest with checksums."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("out", help="the archive to write, e.g. /srv/backups/miaobi-$(date +%%F).tar.gz")

    def handle(self, *args, out, **options):
        try:
            manifest = create_backup(out)
        except OpsError as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        counts = manifest["counts"]
        files = sum(1 for m in manifest["members"] if m["name"].startswith("uploads/"))
        size = sum(m["size"] for m in manifest["members"])
        self.stdout.write(
            f"backup written to {out}: {vendor_label(manifest['database']['vendor'])}, "
            f"{counts.get('library.Article', 0)} articles, {counts.get('orders.Order', 0)} orders, "
            f"{counts.get('accounts.User', 0)} users, {files} uploaded files, {size / 1e6:.1f} MB before compression."
        )
