"""`miaobi restore IN.tar.gz [--force]`: verify a backup, then restore it into an empty site."""
from django.core.management.base import BaseCommand, CommandError

from miaobi.ops.database import OpsError
from miaobi.ops.restore import restore_backup


class Command(BaseCommand):
    help = ("Restore a backup made by `miaobi backup` into an empty database and data dir. Every checksum is "
            "verified first. Stop the web and worker processes before restoring.")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a .tar.gz written by `miaobi backup`")
        parser.add_argument("--force", action="store_true",
                            help="replace the existing database and uploaded files (they are lost)")

    def handle(self, *args, archive, force, **options):
        try:
            report = restore_backup(archive, force=force)
        except OpsError as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        manifest = report.manifest
        counts = manifest["counts"]
        self.stdout.write(
            f"restored the backup of {manifest['created_at']} (Miaobi {manifest['miaobi_version']}): "
            f"{counts.get('library.Article', 0)} articles, {counts.get('orders.Order', 0)} orders, "
            f"{counts.get('accounts.User', 0)} users, {report.files} uploaded files"
            f"{', secret key' if report.secret_key else ''}; row counts match the manifest."
        )
        for note in report.notes:
            self.stdout.write(f"note: {note}")
