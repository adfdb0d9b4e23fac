from django.core.management.base import BaseCommand

from miaobi.library.fragments import library_changed
from miaobi.library.related import rebuild_all_related


class Command(BaseCommand):
    help = "Recompute related reading (相关阅读) for every published article."

    def handle(self, *args, **options):
        count = rebuild_all_related()
        library_changed()
        self.stdout.write(f"related reading rebuilt for {count} published articles.")
