"""`miaobi lexicon import FILE` / `miaobi lexicon export`: the moderation lexicon as text or CSV."""
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from miaobi.moderation.lexicon_io import LexiconFormatError, export_lexicon, import_lexicon


class Command(BaseCommand):
    help = "Import or export the moderation lexicon (terms and whitelist) as text or CSV."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{import,export}")
        imp = sub.add_parser("import", help="add or update terms from FILE (nothing is imported if any line is bad)")
        imp.add_argument("file", help="lexicon file: text (one term a line) or CSV; '-' reads standard input")
        imp.add_argument("--format", choices=["auto", "text", "csv"], default="auto", help="default: by extension, else sniffed")
        imp.add_argument("--encoding", default="utf-8", help="file encoding (default utf-8; e.g. gb18030)")
        imp.add_argument("--dry-run", action="store_true", help="check the file and report, change nothing")
        exp = sub.add_parser("export", help="write the whole lexicon to standard output (or --output)")
        exp.add_argument("--format", choices=["text", "csv"], default="text")
        exp.add_argument("--output", "-o", help="write to this file instead of standard output")

    def handle(self, *args, **options):
        if options["subcommand"] == "import":
            return self._import(options)
        return self._export(options)

    def _import(self, options):
        name = options["file"]
        if name == "-":
            data = sys.stdin.buffer.read()
        else:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"no such file: {name}")
            data = path.read_bytes()
        try:
            report = import_lexicon(data, fmt=options["format"], filename=name, encoding=options["encoding"],
                                    dry_run=options["dry_run"])
        except LexiconFormatError as exc:
            for error in exc.errors:
                self.stderr.write(f"{name}: {error}")
            raise CommandError(f"nothing imported: {len(exc.errors)} problem(s) in {name}") from None
        prefix = "dry run, nothing changed: " if options["dry_run"] else "imported: "
        self.stdout.write(prefix + report.summary())

    def _export(self, options):
        body = export_lexicon(options["format"])
        if options.get("output"):
            Path(options["output"]).write_text(body, encoding="utf-8")
            self.stderr.write(f"wrote {options['output']}")
        else:
            self.stdout.write(body, ending="")
