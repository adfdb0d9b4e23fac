"""`miaobi moderate --all`: re-screen the library after a lexicon change (progress bar on stderr)."""
from django.core.management.base import BaseCommand, CommandError

from miaobi.library.models import Article
from miaobi.moderation.services import moderate_articles


class Command(BaseCommand):
    help = "Screen articles against the lexicon and store flags for editors (never changes any text)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every article in the library")
        parser.add_argument("ids", nargs="*", type=int, help="article ids (instead of --all)")

    def handle(self, *args, **options):
        if options["all"] == bool(options["ids"]):
            raise CommandError("give --all or one or more article ids")
        articles = Article.objects.order_by("pk")
        if not options["all"]:
            articles = articles.filter(pk__in=options["ids"])
        articles = list(articles.iterator(chunk_size=200))
        if options["ids"] and len(articles) != len(set(options["ids"])):
            missing = sorted(set(options["ids"]) - {a.pk for a in articles})
            raise CommandError(f"no such article(s): {', '.join(map(str, missing))}")
        result = moderate_articles(articles, progress=self._progress)
        if self.stderr.isatty():
            self.stderr.write("")
        self.stdout.write(f"screened {result['articles']} article(s): {result['hits']} hit(s), "
                          f"{result['blocking']} article(s) held for review")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        if self.stderr.isatty():
            self.stderr.write(f"\r{bar}", ending="")
            self.stderr.flush()
        elif done == total or done * 10 // total != (done - 1) * 10 // total:  # a line every 10 %
            self.stderr.write(bar)
