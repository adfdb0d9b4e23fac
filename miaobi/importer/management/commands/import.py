"""miaobi import PATH… [--genre G] [--tag T]… [--publish] [--normalize] [--dry-run] [--json] [--queue] [--workers N]"""
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from miaobi.importer.batches import StagingError, stage_paths, start_batch
from miaobi.importer.services import ImportOptions, OptionError, import_paths

LABELS = {"imported": "已导入", "near_duplicate": "疑似重复", "duplicate": "重复", "skipped": "跳过", "error": "错误"}


class Command(BaseCommand):
    help = "Import .txt/.md/.docx/.html/.pdf files, folders (recursive) and .zip archives into the library as drafts."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--genre", default="", help="genre slug or name for every file (default: guessed)")
        parser.add_argument("--tag", action="append", default=[], help="topic added to every article (repeatable)")
        parser.add_argument("--publish", action="store_true", help="publish (near-duplicates and flagged texts stay drafts)")
        parser.add_argument("--normalize", action="store_true",
                            help="规范空白与标点 of each body (trailing spaces, blank lines, indentation, half-width "
                                 "punctuation between Chinese); the changes are listed — try it with --dry-run first")
        parser.add_argument("--dry-run", action="store_true", help="read and check only, write nothing")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")
        parser.add_argument("--workers", type=int, default=None, metavar="N",
                            help="processes that read and check files while this one writes (default: "
                                 "MIAOBI_IMPORT_WORKERS, else one per core, at most 4; 0: none)")
        parser.add_argument("--queue", action="store_true",
                            help="copy the files into an import batch for `miaobi worker` and return at once")

    def handle(self, *args, **opts):
        options = ImportOptions(genre=opts["genre"], tags=opts["tag"], publish=opts["publish"], dry_run=opts["dry_run"],
                                normalize=opts["normalize"])
        if opts["queue"]:
            return self.enqueue(opts["paths"], options, as_json=opts["json"])
        done = [0]
        interactive = not opts["json"] and sys.stderr.isatty()

        def progress(result):
            done[0] += 1
            if opts["json"]:
                return
            line = f"[{done[0]}] {LABELS[result['status']]} {result['path']}"
            if result.get("reason"):
                line += f": {result['reason']}"
            elif result.get("article"):
                line += f" → #{result['article']}"
            if result.get("similar_to"):
                line += f" (疑似重复 #{result['similar_to']}, {result['similarity']:.0%})"
            if result.get("normalized"):  # the editor asked for it: show what changed
                line += f" (规范空白与标点 {len(result['normalized'])} 处)"
                if opts["verbosity"] > 1 or options.dry_run:
                    line += "".join(f"\n    - {c['before']!r}\n    + {c['after']!r}" for c in result["normalized"])
            if interactive:  # a one-line bar on the terminal; problems are listed above it
                if result["status"] != "imported":
                    self.stderr.write(f"\r\033[K{line}")
                self.stderr.write(f"\r[{'#' * (done[0] % 30):<30}] {done[0]} 个文件", ending="")
                self.stderr.flush()
            else:
                self.stdout.write(line)

        try:
            if opts["workers"] is not None and opts["workers"] < 0:
                raise CommandError("--workers must be 0 or more")
            summary, _ = import_paths(opts["paths"], options, progress=progress, workers=opts["workers"])
        except OptionError as exc:
            raise CommandError(str(exc))
        if opts["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        if interactive:
            self.stderr.write("")
        prefix = "试运行（未写入）：" if options.dry_run else ""
        self.stdout.write(
            f"{prefix}导入 {len(summary['imported'])} 篇，重复 {len(summary['duplicates'])}，"
            f"疑似重复 {len(summary['near_duplicates'])}，跳过 {len(summary['skipped'])}，错误 {len(summary['errors'])}。")

    def enqueue(self, paths, options: ImportOptions, *, as_json: bool) -> None:
        if options.dry_run:
            raise CommandError("--queue and --dry-run cannot be combined")
        try:
            batch = stage_paths(paths, options)
        except (OptionError, StagingError) as exc:
            raise CommandError(str(exc))
        start_batch(batch)  # with MIAOBI_JOBS=inline it has run by now
        batch.refresh_from_db()
        if as_json:
            self.stdout.write(json.dumps({"batch": batch.pk, "state": batch.state, "total": batch.total}))
        else:
            self.stdout.write(f"import batch #{batch.pk}: {batch.total} files, {batch.get_state_display()} "
                              f"(progress: /desk/import/batches/{batch.pk}/)")
