"""miaobi originality FILE [--json] (also `miaobi check FILE`): the originality report (查重) of a file."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from miaobi.importer.originality import originality_report
from miaobi.importer.readers import ReadError, read_file

LEVELS = {"green": "绿", "amber": "黄", "red": "红"}


class Command(BaseCommand):
    help = "Originality check of a .txt/.md/.docx/.html/.pdf file against the library."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        try:
            parsed = read_file(path.read_bytes(), path.name)
        except OSError:
            raise CommandError(f"无法读取文件：{path}")
        except ReadError as exc:
            raise CommandError(str(exc))
        report = originality_report(f"{parsed.title}\n{parsed.body}")
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(f"重复率 {report['percent']}%（{LEVELS[report['level']]}），共 {report['letters']} 字")
        for source in report["sources"]:
            self.stdout.write(f"  {source['percent']}%  #{source['id']} {source['title']}  {source['url']}")
        for passage in report["passages"]:
            self.stdout.write(f"  ·「{passage['text']}」\n    ←「{passage['source_text']}」 #{passage['source']}")
