"""Validate demo texts: header fields, length 1,500-4,000 non-space characters, 一、 headings."""
import re
import sys
from pathlib import Path

GENRES = {"jianghua", "xinde", "zongjie", "jihua", "diaoyan", "shuzhi", "zhuchici",
          "zhici", "huibao", "fangan", "dangke", "duizhao"}
TAGS = {"主题教育", "工会", "乡村振兴", "党风廉政", "安全生产", "基层治理", "营商环境", "生态环保",
        "青年工作", "作风建设", "干部培训", "数字政府", "民生保障", "组织建设", "科技创新",
        "文明创建", "妇女儿童", "教育工作", "医疗卫生", "企业管理"}


def check(path: Path) -> list[str]:
    errors = []
    raw = path.read_text(encoding="utf-8")
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        return ["missing '---' separator line"]
    fields = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    if not fields.get("title"):
        errors.append("missing title")
    if fields.get("genre") not in GENRES:
        errors.append(f"bad genre {fields.get('genre')!r}")
    tags = [t.strip() for t in fields.get("tags", "").split(",") if t.strip()]
    if not tags or any(t not in TAGS for t in tags):
        errors.append(f"bad tags {tags!r}")
    n = len(re.sub(r"\s", "", body))
    if not 1500 <= n <= 4000:
        errors.append(f"length {n} not in 1500..4000")
    if len(re.findall(r"^[一二三四五六七八九十]+、", body, re.M)) < 2:
        errors.append("fewer than two 一、 headings")
    if re.search(r"[\u4e00-\u9fff][,:;!?][\u4e00-\u9fff]", body):
        errors.append("ASCII punctuation between Chinese characters")
    if re.search(r"^[ \t\u3000]", body, re.M):
        errors.append("indented lines (paragraphs must start at column 0)")
    return errors


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted(Path(__file__).parent.joinpath("texts").glob("*.txt"))
    bad = 0
    for p in paths:
        errs = check(p)
        n = len(re.sub(r"\s", "", p.read_text(encoding="utf-8").partition("\n---\n")[2]))
        print(f"{'OK ' if not errs else 'BAD'} {p.name} {n} {'; '.join(errs)}")
        bad += bool(errs)
    sys.exit(1 if bad else 0)
