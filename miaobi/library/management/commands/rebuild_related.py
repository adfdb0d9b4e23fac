from django.core.management.base import BaseCommand

from miaobi.library.services import rebuild_related_reading


class Command(BaseCommand):
    help = "Recompute related reading (相关阅读) for every published article."

    def handle(self, *args, **options):
        count = rebuild_related_reading()
        self.stdout.write(f"related reading rebuilt for {count} published articles.")
