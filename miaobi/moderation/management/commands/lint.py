"""`miaobi lint FILE… [--json]`: signs of damage in texts (missing characters, placeholders, …).

Exit status: 0 no findings, 1 findings, 2 a file could not be read. Files are never changed.
"""
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from miaobi.moderation.lint import lint_text, line_and_column


class Command(BaseCommand):
    help = "Find signs of damage in text files: missing characters, placeholders, missing subjects, ASCII punctuation, mojibake."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="UTF-8 text files ('-' for standard input)")
        parser.add_argument("--json", action="store_true", help="print one JSON document with every finding")

    def handle(self, *args, **options):
        try:
            self._lint(options)
        except BrokenPipeError:  # `miaobi lint … | head`
            sys.stderr.close()
            sys.exit(1)

    def _lint(self, options):
        results, failed, total = [], False, 0
        for name in options["files"]:
            try:
                data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
                text = data.decode("utf-8-sig")
            except OSError as exc:
                failed = True
                self.stderr.write(f"{name}: cannot read: {exc.strerror or exc}")
                results.append({"file": name, "error": f"cannot read: {exc.strerror or exc}", "findings": []})
                continue
            except UnicodeDecodeError as exc:
                failed = True
                message = (f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                           "the file itself may be in GBK: convert it to UTF-8 first")
                self.stderr.write(f"{name}: {message}")
                results.append({"file": name, "error": message, "findings": []})
                continue
            findings = []
            for f in lint_text(text):
                line, column = line_and_column(text, f.start)
                findings.append({**f.to_dict(), "line": line, "column": column})
            total += len(findings)
            results.append({"file": name, "characters": len(text), "findings": findings})
            if not options["json"]:
                for f in findings:
                    repair = f" -> {f['repair']!r}" if f["repair"] is not None else ""
                    self.stdout.write(f"{name}:{f['line']}:{f['column']}: {f['kind']} [{f['start']}:{f['end']}] "
                                      f"{f['excerpt']!r}{repair}  ({f['message']})")
        if options["json"]:
            self.stdout.write(json.dumps({"files": results, "total": total}, ensure_ascii=False, indent=2))
        else:
            self.stderr.write(f"{total} finding(s) in {len(options['files'])} file(s)")
        if failed:
            sys.exit(2)
        if total:
            sys.exit(1)
