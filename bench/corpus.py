"""A deterministic synthetic corpus of 公文-like texts for benchmarks (never for tests or the site).

    python bench/corpus.py --docs 1000 [--seed 7] [--out corpus.jsonl]

Each document has a genre, two or three tags, a title from the genre's title patterns, and a body of
2,000-5,000 characters laid out as 公文 are: a salutation where the genre has one, an opening
paragraph, 一、二、三、 headings with （一）（二） sub-headings, and paragraphs.

Realistic term frequencies come from the demo library (miaobi/library/demo/texts/, our own texts):
a word-bigram chain per genre, trained on the demo bodies, writes a pool of sentences; documents
draw sentences from the pool with Zipf-like weights (a few sentences and their words are very
common, most are rare), and each document names its own place and unit, drawn Zipf-like from tens
of thousands of made-up names, so the vocabulary has the long tail of rare terms real collections
have. Document i depends only on (seed, i): any prefix of a larger corpus is the smaller corpus.

Other benches import `generate(n, seed)` (an iterator of CorpusDoc) or `build_model(seed)`.
Without --out, prints a summary (characters, distinct words, the commonest words).
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import json
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TEXTS_DIR = ROOT / "miaobi" / "library" / "demo" / "texts"
POOL_SENTENCES_PER_GENRE = 6000
SENTENCE_END = "。！？；"
NUMERALS = "一二三四五六七八九十"
HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、]|（\d+）)")
SALUTATION_GENRES = {"jianghua", "zhici", "zhuchici", "dangke"}

# Syllables for made-up place and unit names (the long tail of rare terms).
PLACE_SYLLABLES = ("青 白 石 云 河 平 安 宁 东 西 南 北 丰 泉 山 林 柳 桃 兴 和 长 新 阳 明 清 金 银 龙 凤 松 "
                   "鹤 湖 江 源 川 岭 桥 坪 塘 湾 溪 峰 梅 兰 竹 荷 华 隆 盛 福 瑞 康 乐 永 广 嘉 庆 通 远").split()
PLACE_KINDS = ["县", "镇", "街道", "区", "乡", "村", "社区", "开发区"]
UNIT_KINDS = ["局", "中心", "公司", "医院", "学校", "委员会", "办公室", "站", "所", "协会"]
UNIT_FIELDS = ["水务", "交通", "教育", "卫生健康", "市场监管", "自然资源", "农业农村", "应急管理", "文化旅游",
               "人力资源", "住房建设", "生态环境", "统计", "税务", "供电", "燃气", "公交", "物流", "科技", "档案"]
TITLE_PATTERNS = {
    "jianghua": ["在{place}{topic}工作会议上的讲话", "在{place}{topic}推进会上的讲话", "在{unit}{year}年度工作会议上的讲话"],
    "xinde": ["参加{topic}专题学习的心得体会", "{topic}培训心得体会", "学习{topic}有关要求的心得体会"],
    "zongjie": ["{place}{year}年{topic}工作总结", "{unit}{year}年工作总结", "{place}{year}年上半年工作总结"],
    "jihua": ["{place}{year}年{topic}工作计划", "{unit}{year}年工作要点", "{place}{year}年{topic}工作安排"],
    "diaoyan": ["关于{place}{topic}情况的调研报告", "关于{unit}{topic}工作的调查与思考"],
    "shuzhi": ["{year}年度个人述职报告（{unit}）", "{year}年度述职述廉报告（{place}）"],
    "zhuchici": ["{place}{topic}工作会议主持词", "{unit}{year}年度表彰大会主持词"],
    "zhici": ["在{place}{year}年{topic}大会上的致辞", "在{unit}成立十周年庆典上的致辞"],
    "huibao": ["{place}{topic}工作情况汇报", "{unit}{topic}工作开展情况的汇报"],
    "fangan": ["{place}{year}年{topic}专项行动实施方案", "{unit}{topic}工作实施方案"],
    "dangke": ["关于{topic}的专题党课讲稿", "{unit}党支部{topic}专题党课"],
    "duizhao": ["{unit}领导班子{year}年度民主生活会对照检查材料", "{place}{topic}专题组织生活会个人对照检查材料"],
}


@dataclass
class CorpusDoc:
    key: str
    title: str
    genre: str
    tags: list[str]
    body: str
    days_ago: int  # publish time: this many days before the load


@dataclass
class Model:
    genres: list[str]
    genre_tags: dict[str, list[str]]
    pools: dict[str, list[str]]          # genre -> sentences (commonest first)
    headings: dict[str, list[str]]       # genre -> heading texts without their numbers
    salutations: list[str]
    places: list[str]
    units: list[str]
    topics: list[str]


def _zipf_cumulative(n: int, s: float = 1.05) -> list[float]:
    weights = [1.0 / (rank ** s) for rank in range(1, n + 1)]
    return list(itertools.accumulate(weights))


def _zipf_pick(rng: random.Random, items: list, cumulative: list[float]):
    return items[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]


def _read_demo() -> list[tuple[str, list[str], str, str]]:
    texts = []
    for path in sorted(TEXTS_DIR.glob("*.txt")):
        head, _, body = path.read_text(encoding="utf-8").partition("\n---\n")
        fields = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
        tags = [t.strip() for t in fields.get("tags", "").replace("，", ",").split(",") if t.strip()]
        texts.append((fields["genre"].strip(), tags, fields["title"].strip(), body.strip()))
    return texts


def _train_chain(sentences: list[str]):
    from miaobi.segmentation import segment  # the site's segmenter with the 公文 dictionary

    import rjieba
    segment("预热")  # loads the domain dictionary once
    chain: dict[str, Counter] = defaultdict(Counter)
    for sentence in sentences:
        words = ["<s>", *rjieba.cut(sentence), "</s>"]
        for a, b in zip(words, words[1:]):
            chain[a][b] += 1
    return {a: (list(c), list(itertools.accumulate(c.values()))) for a, c in chain.items()}


def _walk(chain, rng: random.Random, max_words: int = 60) -> str:
    out, word = [], "<s>"
    for _ in range(max_words):
        nexts, cumulative = chain[word]
        word = nexts[bisect.bisect_left(cumulative, rng.random() * cumulative[-1])]
        if word == "</s>":
            break
        out.append(word)
    text = "".join(out).strip()
    if text and text[-1] not in SENTENCE_END:
        text += "。"
    return text


def build_model(seed: int = 7) -> Model:
    """The generator's tables, trained on the demo texts (deterministic for a seed)."""
    rng = random.Random(f"model:{seed}")
    demo = _read_demo()
    by_genre: dict[str, list[str]] = defaultdict(list)
    headings: dict[str, list[str]] = defaultdict(list)
    genre_tags: dict[str, Counter] = defaultdict(Counter)
    salutations = set()
    for genre, tags, _title, body in demo:
        genre_tags[genre].update(tags)
        for line in body.splitlines():
            line = line.strip()
            if not line:
                continue
            match = HEADING.match(line)
            if match:
                heading = line[match.end():]
                headings[genre].append(re.split(r"[。；]", heading)[0][:30])
                continue
            if len(line) <= 12 and line.endswith(("：", ":")):
                salutations.add(line)
                continue
            by_genre[genre].extend(s for s in re.findall(rf"[^{SENTENCE_END}]+[{SENTENCE_END}]", line) if len(s) > 6)
    pools = {}
    for genre in sorted(by_genre):
        chain = _train_chain(by_genre[genre])
        pool = [_walk(chain, rng) for _ in range(POOL_SENTENCES_PER_GENRE)]
        pools[genre] = [s for s in pool if 8 <= len(s) <= 120] or by_genre[genre]
    places = sorted({rng.choice(PLACE_SYLLABLES) + rng.choice(PLACE_SYLLABLES) + rng.choice(PLACE_KINDS)
                     for _ in range(40000)})
    rng.shuffle(places)
    units = sorted({rng.choice(PLACE_SYLLABLES) + rng.choice(PLACE_SYLLABLES) + rng.choice(UNIT_FIELDS)
                    + rng.choice(UNIT_KINDS) for _ in range(30000)})
    rng.shuffle(units)
    all_tags = sorted({t for c in genre_tags.values() for t in c})
    return Model(
        genres=sorted(pools), genre_tags={g: sorted(c) or all_tags for g, c in genre_tags.items()},
        pools=pools, headings={g: h or ["扎实推进各项工作"] for g, h in headings.items()},
        salutations=sorted(salutations) or ["同志们："], places=places, units=units,
        topics=all_tags,
    )


class Generator:
    def __init__(self, model: Model, seed: int = 7):
        self.model, self.seed = model, seed
        self.pool_cum = {g: _zipf_cumulative(len(p), 0.9) for g, p in model.pools.items()}
        self.place_cum = _zipf_cumulative(len(model.places))
        self.unit_cum = _zipf_cumulative(len(model.units))
        self.genre_cum = _zipf_cumulative(len(model.genres), 0.6)

    def doc(self, i: int) -> CorpusDoc:
        m = self.model
        rng = random.Random(f"doc:{self.seed}:{i}")
        genre = _zipf_pick(rng, m.genres, self.genre_cum)
        tags = rng.sample(m.genre_tags[genre], k=min(len(m.genre_tags[genre]), rng.choice((1, 2, 2, 3))))
        place = _zipf_pick(rng, m.places, self.place_cum)
        unit = _zipf_pick(rng, m.units, self.unit_cum)
        topic = rng.choice(tags)
        year = rng.choice((2022, 2023, 2024, 2025, 2026))
        title = rng.choice(TITLE_PATTERNS.get(genre, ["{place}{topic}工作材料"])).format(
            place=place, unit=unit, topic=topic, year=year)
        target = rng.randint(2000, 5000)
        pool, cum = m.pools[genre], self.pool_cum[genre]

        def sentence() -> str:
            s = _zipf_pick(rng, pool, cum)
            # Name this document's own place and unit now and then: the rare terms of a real collection.
            if rng.random() < 0.08:
                s = s.replace("全市", place, 1).replace("全县", place, 1).replace("我们", unit, 1)
            return s

        lines = []
        if genre in SALUTATION_GENRES:
            lines.append(rng.choice(m.salutations))
        lines.append("".join(sentence() for _ in range(rng.randint(3, 5))))
        size = sum(len(x) for x in lines)
        sections = rng.randint(3, 5)
        for n in range(sections):
            lines.append(f"{NUMERALS[n]}、{rng.choice(m.headings[genre])}")
            for k in range(rng.randint(2, 3)):
                lines.append(f"（{NUMERALS[k]}）{rng.choice(m.headings[genre])}")
                budget = (target - size) // max(1, (sections - n) * 2)
                paragraph = ""
                while len(paragraph) < max(budget, 60):
                    paragraph += sentence()
                lines.append(paragraph)
                size += len(paragraph) + 20
                if size >= target:
                    break
            if size >= target:
                break
        body = "\n".join(lines)
        if len(body) > 5000:
            body = body[:5000].rsplit("。", 1)[0] + "。"
        while len(body) < 2000:
            body += "\n" + "".join(sentence() for _ in range(4))
        return CorpusDoc(key=f"bench:{self.seed}:{i}", title=title, genre=genre, tags=tags, body=body,
                         days_ago=rng.randint(0, 5 * 365))


def generate(n: int, seed: int = 7, start: int = 0, model: Model | None = None):
    """Documents start..n-1 of the corpus for `seed` (an iterator: 100,000 documents never sit in memory)."""
    generator = Generator(model or build_model(seed), seed)
    for i in range(start, n):
        yield generator.doc(i)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="write JSON lines here")
    args = parser.parse_args()
    if args.out:
        with args.out.open("w", encoding="utf-8") as out:
            for doc in generate(args.docs, args.seed):
                out.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
        print(f"wrote {args.docs} documents to {args.out}", file=sys.stderr)
        return
    from miaobi.segmentation import segment

    chars, words, genres = 0, Counter(), Counter()
    for doc in generate(args.docs, args.seed):
        chars += len(doc.body)
        genres[doc.genre] += 1
        if len(words) < 2_000_000:
            words.update(w for w in segment(doc.body) if len(w) > 1)
    print(f"{args.docs} documents, {chars} characters ({chars / max(args.docs, 1):.0f} per document)")
    print(f"distinct words: {len(words)}; commonest: {' '.join(w for w, _ in words.most_common(15))}")
    print(f"words seen once: {sum(1 for c in words.values() if c == 1)}")
    print("genres: " + ", ".join(f"{g} {c}" for g, c in genres.most_common()))


if __name__ == "__main__":
    main()
