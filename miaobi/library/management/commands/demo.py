from django.core.management.base import BaseCommand, CommandError

from miaobi.library.demo.loader import DemoTextError, load_demo


class Command(BaseCommand):
    help = "Load the demo library (original model texts, genres, tags). Safe to run again."

    def handle(self, *args, **options):
        try:
            result = load_demo()
        except DemoTextError as exc:
            raise CommandError(f"demo library not loaded: {exc}") from exc
        self.stdout.write(f"demo library: {result['created']} articles added, {result['existing']} already there "
                          f"({result['total']} demo texts).")
