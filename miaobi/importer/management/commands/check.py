"""`miaobi check FILE [--json]`: the originality report of a file (查重); with no file argument, or with
app labels, Django's own system `check` runs unchanged."""
from pathlib import Path

from django.core.management.commands.check import Command as DjangoCheck

from .originality import Command as OriginalityCommand
from miaobi.importer.readers import SUPPORTED


def _is_file(arg: str) -> bool:
    path = Path(arg)
    return path.suffix.lower() in SUPPORTED and path.is_file()


class Command(DjangoCheck):
    help = DjangoCheck.help + " With a FILE (.txt/.md/.docx/.html/.pdf): the originality report (查重) instead."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--json", action="store_true", help="originality report as JSON (with FILE)")

    def handle(self, *app_labels, **options):
        if len(app_labels) == 1 and _is_file(app_labels[0]):
            command = OriginalityCommand(stdout=self.stdout._out, stderr=self.stderr._out)
            return command.handle(file=app_labels[0], json=options["json"])
        return super().handle(*app_labels, **options)
