"""miaobi reindex_texts: rebuild the duplicate and originality indexes of every article (after a change of
the signature scheme, or to repair). Safe to repeat; each batch of 500 texts is one transaction."""
from django.core.management.base import BaseCommand

from miaobi.importer.index import bulk_index
from miaobi.importer.models import Fingerprint, LshBucket, TextSignature
from miaobi.library.models import Article


class Command(BaseCommand):
    help = "Rebuild the importer's duplicate (MinHash LSH) and originality (winnowing) indexes."

    def handle(self, *args, **options):
        Fingerprint.objects.all().delete()
        LshBucket.objects.all().delete()
        TextSignature.objects.all().delete()
        count = bulk_index(Article.objects.values_list("pk", "body").iterator(chunk_size=2000))
        self.stdout.write(f"indexed {count} articles")
