"""miaobi reindex_texts: rebuild the duplicate and originality indexes of every article (after a change of
the signature scheme, or to repair). Safe to repeat; each batch of 500 texts is one transaction."""
from django.core.management.base import BaseCommand

from miaobi.importer.index import rebuild_all


class Command(BaseCommand):
    help = "Rebuild the importer's duplicate (MinHash LSH) and originality (winnowing) indexes."

    def handle(self, *args, **options):
        self.stdout.write(f"indexed {rebuild_all()} articles")
