from django.core.management.base import BaseCommand

from miaobi.orders.services import purge_closed_attachments
from miaobi.orders.workflow import autocomplete_delivered


class Command(BaseCommand):
    help = ("Order desk chores for cron: `orders autocomplete` completes delivered orders with no answer for "
            "3 days; `orders purge` deletes files of orders closed longer than the retention period.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["autocomplete", "purge"])

    def handle(self, *args, action, **options):
        if action == "autocomplete":
            done = autocomplete_delivered()
            self.stdout.write(f"auto-completed {len(done)} orders" + (f": {', '.join(done)}" if done else ""))
        else:
            report = purge_closed_attachments()
            files = sum(n for _, n in report)
            self.stdout.write(f"purged {files} files from {len(report)} closed orders")
            for number, removed in report:
                self.stdout.write(f"  {number}: {removed} files")
