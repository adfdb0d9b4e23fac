"""The text-integrity lint: each check on texts written for these tests, then the seed page and the demo
library (undamaged, then damaged the same ways as the seed). Figures are printed (see them with -s or -rA).
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from miaobi.library.demo.loader import TEXTS_DIR, parse_demo_text
from miaobi.moderation.lint import (
    FULL_WIDTH, _OPTIONAL_CHARS, apply_repairs, collocation_index, line_and_column, lint_text,
)

SEED_DIR = Path(settings.BASE_DIR).parent / "shared" / "seed"
HAN = re.compile(r"[\u4e00-\u9fff]")


def kinds(text):
    return [(f.kind, f.excerpt, f.repair) for f in lint_text(text)]


# --- each check ------------------------------------------------------------------------------

def test_missing_character_in_a_fixed_phrase_is_found_with_its_repair():
    text = "全镇上下认真学贯彻会议精神，把急难问题解决在基层。"
    found = [f for f in lint_text(text) if f.kind == "missing_chars"]
    assert [(f.excerpt, f.repair) for f in found] == [("学贯彻", "学习贯彻")]
    assert text[found[0].start:found[0].end] == "学贯彻"


def test_missing_character_at_the_end_of_a_phrase_and_a_missing_inner_word():
    text = "各支部组织党员读书学交流，团结奋斗，为实现中华民族复兴贡献力量。"
    found = {(f.excerpt, f.repair) for f in lint_text(text) if f.kind == "missing_chars"}
    assert ("读书学", "读书学习") in found
    assert ("实现中华民族复兴", "实现中华民族伟大复兴") in found


def test_whole_phrases_and_ordinary_shorter_forms_raise_nothing():
    text = ("我们要认真学习贯彻会议精神，坚持读书学习，读书学会了思考。全体党员干部抓落实、敢担当，"
            "村集体经济收入稳步增长，不断增强人民群众获得感、幸福感、安全感。")
    assert kinds(text) == []


def test_placeholders_inside_chinese_text():
    text = "要扩大中等收入_，关心困难__利益，另有□□同志和**事项，温度为3*4度。"
    found = [f for f in lint_text(text) if f.kind == "placeholder"]
    assert [f.excerpt for f in found] == ["_", "__", "□□", "**"]
    assert found[0].repair == "群体"  # the only collocation that fits 扩大中等收入…
    assert all(f.repair is None for f in found[1:])


def test_placeholders_outside_chinese_text_are_left_alone():
    assert kinds("file_name = a*b; x__y") == []


def test_sentences_without_a_subject():
    text = "同志们：\n指出，今年任务很重。会议强调，要抓好落实。\n在全市推进会上强调，要提前谋划。反复强调，要守住底线。"
    found = [(f.kind, f.excerpt) for f in lint_text(text) if f.kind == "missing_subject"]
    assert found == [("missing_subject", "指出"), ("missing_subject", "在全市推进会上强调"), ("missing_subject", "反复强调")]


def test_ascii_punctuation_between_chinese_with_a_certain_repair():
    text = "同志们:\n今天开会,研究三件事!大家有意见吗?时间是9:30,地点在三楼。"
    found = [f for f in lint_text(text) if f.kind == "ascii_punct"]
    assert [f.excerpt for f in found] == [":", ",", "!", "?"]
    repaired = apply_repairs(text, found)
    assert repaired == "同志们：\n今天开会，研究三件事！大家有意见吗？时间是9:30,地点在三楼。"
    assert all(FULL_WIDTH[f.excerpt] == f.repair for f in found)


def test_mojibake_of_each_kind_with_repairs_where_certain():
    original = "今天召开全县工作会议，研究部署下一步工作。"
    gbk_as_latin1 = original.encode("gbk").decode("latin-1")
    found = [f for f in lint_text(f"正文：{gbk_as_latin1}\n") if f.kind == "mojibake"]
    assert len(found) == 1 and found[0].repair == original
    utf8_as_gbk = "人民群众满意".encode("utf-8").decode("gbk")
    found = [f for f in lint_text(f"其中写道：{utf8_as_gbk}。") if f.kind == "mojibake"]
    assert len(found) == 1 and found[0].repair == "人民群众满意"
    assert [f.kind for f in lint_text("这一段锟斤拷锟斤拷已经坏了，还有\ufffd\ufffd。")] == ["mojibake", "mojibake"]
    # Ordinary quotes, ellipses and accented names are not mojibake.
    assert kinds("开展“送清凉”“送温暖”活动……邀请了Müller先生和José女士。") == []


def test_lint_never_changes_the_text_and_excerpts_are_verbatim():
    text = "在学贯彻会议上强调,要扩大中等收入_。指出，广大员、干部要听话、跟走。"
    copy = str(text)
    findings = lint_text(text)
    assert text == copy and findings
    for f in findings:
        assert text[f.start:f.end] == f.excerpt
    assert line_and_column("a\nbc", 3) == (2, 2)


def test_collocation_list_is_the_genre_not_one_page():
    index = collocation_index()
    assert len(index.phrases) >= 500
    for phrase in ["学习贯彻", "听党话、跟党走", "中华民族伟大复兴", "全心全意为人民服务", "以人民为中心"]:
        assert phrase in index.phrases
    assert len(index.variants) > 1000


# --- the seed page ----------------------------------------------------------------------------

def _seed_files() -> tuple[str, str]:
    page, readme = SEED_DIR / "000_b34cd063553143a1.txt", SEED_DIR / "README.md"
    if not page.exists() or not readme.exists():
        pytest.fail(f"the seed page is missing: expected {page} and {readme} (shared/seed beside the repository)")
    return page.read_text(encoding="utf-8"), readme.read_text(encoding="utf-8")


def _kind_of(description: str) -> str:
    d = description.lower()
    if "subject" in d:
        return "missing_subject"
    if "replaced by" in d or "`_`" in d:
        return "placeholder"
    if "punctuation" in d:
        return "ascii_punct"
    if "deleted" in d:
        return "missing_chars"
    raise AssertionError(f"unknown kind of damage in the seed README: {description!r}")


def seed_sites(page: str, readme: str) -> list[dict]:
    """The damage sites of the seed README's table, located in the page: number, kind, spans."""
    sites = []
    for line in readme.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].isdigit():
            continue
        number, seen, _, description = cells
        kind = _kind_of(description)
        quoted = re.findall(r"`([^`]+)`", seen)
        if kind == "ascii_punct":
            # ASCII marks right after Chinese text (a character, a closing quote or bracket), anywhere.
            spans = [(m.start(), m.end()) for m in re.finditer(r"(?<=[^\x00-\x7f])[,:!;?]", page)]
        else:
            pattern = ".*?".join(re.escape(part) for part in quoted[0].split("…"))
            spans = [(m.start(), m.end()) for m in re.finditer(pattern, page)]
        assert spans, f"seed site {number} ({quoted}) not found in the page"
        sites.append({"number": int(number), "kind": kind, "spans": spans})
    assert len(sites) == 14, sites
    return sites


def score(findings, sites) -> tuple[set[int], list]:
    """Sites found (a finding of the site's kind overlapping it) and findings that match no site."""
    found, false_alarms = set(), []
    for f in findings:
        matched = [s["number"] for s in sites if s["kind"] == f.kind
                   and any(f.start < e and a < f.end for a, e in s["spans"])]
        found.update(matched)
        if not matched:
            false_alarms.append(f)
    return found, false_alarms


def test_seed_page_lint_finds_the_damage_sites():
    page, readme = _seed_files()
    sites = seed_sites(page, readme)
    findings = lint_text(page)
    found, false_alarms = score(findings, sites)
    missed = sorted({s["number"] for s in sites} - found)
    print(f"\n[lint seed] found {len(found)}/14 damage sites (missed: {missed or 'none'}); "
          f"{len(false_alarms)} false alarm(s): {[(f.kind, f.excerpt) for f in false_alarms]}")
    assert len(found) >= 11
    assert len(false_alarms) <= 3


def test_lint_cli_on_the_seed_page_prints_json_and_never_touches_the_file(tmp_path, capsys):
    page, _ = _seed_files()
    copy = tmp_path / "seed.txt"
    copy.write_bytes(page.encode("utf-8"))
    before = copy.read_bytes()
    with pytest.raises(SystemExit) as exit_info:
        call_command("lint", str(copy), "--json")
    assert exit_info.value.code == 1  # findings
    report = json.loads(capsys.readouterr().out)
    findings = report["files"][0]["findings"]
    assert report["total"] == len(findings) >= 11
    first = findings[0]
    assert {"kind", "start", "end", "line", "column", "excerpt", "message", "repair"} <= set(first)
    assert page[first["start"]:first["end"]] == first["excerpt"]
    assert copy.read_bytes() == before


def test_lint_cli_plain_output_and_bad_files(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text("今天开会，研究部署工作。\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("在学贯彻会议,研究。\n", encoding="utf-8")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("今天开会".encode("gbk"))
    call_command("lint", str(good))  # no findings: returns normally (exit 0)
    with pytest.raises(SystemExit) as exit_info:
        call_command("lint", str(good), str(bad))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert f"{bad}:1:2: missing_chars [1:4] '学贯彻' -> '学习贯彻'" in out
    assert "ascii_punct" in out and str(good) not in out
    with pytest.raises(SystemExit) as exit_info:
        call_command("lint", str(gbk), str(tmp_path / "missing.txt"))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "not valid UTF-8" in err and "cannot read" in err


# --- the demo library: undamaged, then damaged ------------------------------------------------

def demo_texts() -> list[tuple[str, str]]:
    return [(p.name, parse_demo_text(p).body) for p in sorted(TEXTS_DIR.glob("*.txt"))]


def test_demo_library_raises_at_most_one_false_alarm_per_10000_characters():
    texts = demo_texts()
    assert len(texts) == 66
    chars = sum(len(body) for _, body in texts)
    alarms = [(name, f.kind, f.excerpt) for name, body in texts for f in lint_text(body)]
    rate = len(alarms) * 10000 / chars
    print(f"\n[lint demo] {len(alarms)} false alarm(s) on {chars} characters of undamaged text "
          f"= {rate:.2f} per 10,000 characters: {alarms[:10]}")
    assert rate <= 1.0


_SUBJECT_VERB = re.compile(r"(?:^|(?<=[。！？；\n]))([^。！？；\n，：]{1,8}?)((?:反复|始终)?(?:指出|强调|认为|提出))(?=[，：])")


def damage(body: str, rng: random.Random) -> tuple[str, list[tuple[str, int, int]]]:
    """Damage a text as the seed's filter did, at most once per kind; returns it and the damage sites.

    Sites are spans in the damaged text that a finding must overlap: a deletion's neighbours, the
    placeholder, the bare reporting verb, the ASCII mark.
    """
    import rjieba

    index = collocation_index()
    strict = {v_phrase for v in index.variants for v_phrase in v.phrases}
    plan = []  # (start, end, replacement, kind) in the original text
    # 1. A character deleted inside a fixed phrase (never a particle, never its first character).
    spans = [(s, e) for s, e in index.phrase_spans(body) if body[s:e] in strict and len(HAN.findall(body[s:e])) >= 4]
    if spans:
        s, e = rng.choice(spans)
        positions = [i for i in range(s + 1, e) if HAN.match(body[i]) and body[i] not in _OPTIONAL_CHARS]
        i = rng.choice(positions)
        plan.append((i, i + 1, "", "phrase"))
    # 2. A character deleted inside a long word of the text (not necessarily a known phrase).
    words = [(s, e) for w, s, e in rjieba.tokenize(body) if e - s >= 4 and all(HAN.match(c) for c in w)]
    if words:
        s, e = rng.choice(words)
        i = rng.randrange(s + 1, e - 1)
        plan.append((i, i + 1, "", "word"))
    # 3. A two-character word replaced by "_".
    pairs = [(s, e) for w, s, e in rjieba.tokenize(body) if e - s == 2 and HAN.fullmatch(w[0]) and HAN.fullmatch(w[1])
             and s > 0 and e < len(body) and HAN.match(body[s - 1]) and HAN.match(body[e])]
    if pairs:
        s, e = rng.choice(pairs)
        plan.append((s, e, "_", "placeholder"))
    # 4. The subject of a sentence with a reporting verb stripped.
    subjects = [m for m in _SUBJECT_VERB.finditer(body) if not m.group(1).endswith(("可以", "所以", "就是"))]
    if subjects:
        m = rng.choice(subjects)
        plan.append((m.start(1), m.end(1), "", "subject"))
    # 5. Full-width punctuation between Chinese characters made ASCII.
    marks = [m.start() for m in re.finditer(r"(?<=[\u4e00-\u9fff])[，：；！？](?=[\u4e00-\u9fff])", body)]
    if marks:
        i = rng.choice(marks)
        ascii_mark = {v: k for k, v in FULL_WIDTH.items()}[body[i]]
        plan.append((i, i + 1, ascii_mark, "ascii"))
    plan.sort()
    kept, last_end = [], -10
    for item in plan:  # damage sites well apart, so each finding belongs to one
        if item[0] >= last_end + 6:
            kept.append(item)
            last_end = item[1]
    out, sites, shift, position = [], [], 0, 0
    for start, end, replacement, kind in kept:
        out.append(body[position:start])
        out.append(replacement)
        new_start = start + shift
        if kind in ("phrase", "word"):
            site = (new_start - 1, new_start + 1)
        elif kind == "subject":
            site = (new_start, new_start + 2)
        else:
            site = (new_start, new_start + len(replacement))
        sites.append((kind, *site))
        shift += len(replacement) - (end - start)
        position = end
    out.append(body[position:])
    return "".join(out), sites


def test_damaged_demo_library_recall_and_false_alarms():
    rng = random.Random(20260226)
    expected_kind = {"phrase": "missing_chars", "word": "missing_chars", "placeholder": "placeholder",
                     "subject": "missing_subject", "ascii": "ascii_punct"}
    planted: dict[str, int] = {}
    found: dict[str, int] = {}
    false_alarms, chars = [], 0
    for name, body in demo_texts():
        damaged, sites = damage(body, rng)
        chars += len(damaged)
        findings = lint_text(damaged)
        for kind, s, e in sites:
            planted[kind] = planted.get(kind, 0) + 1
            if any(f.kind == expected_kind[kind] and f.start < e and s < f.end for f in findings):
                found[kind] = found.get(kind, 0) + 1
        for f in findings:
            if not any(f.start < e and s < f.end for _, s, e in sites):
                false_alarms.append((name, f.kind, f.excerpt))
    recall = {k: found.get(k, 0) / n for k, n in planted.items()}
    total_recall = sum(found.values()) / sum(planted.values())
    rate = len(false_alarms) * 10000 / chars
    lines = [f"  {k:<11} {found.get(k, 0):>3}/{n:<3} = {recall[k]:.0%}" for k, n in sorted(planted.items())]
    print("\n[lint damaged demo] recall by kind of damage:\n" + "\n".join(lines)
          + f"\n  all         {sum(found.values())}/{sum(planted.values())} = {total_recall:.0%}"
          + f"\n  false alarms: {len(false_alarms)} on {chars} characters = {rate:.2f} per 10,000: {false_alarms[:8]}")
    assert planted["phrase"] >= 40 and planted["placeholder"] >= 60 and planted["ascii"] >= 60
    assert recall["placeholder"] >= 0.95 and recall["ascii"] >= 0.95
    assert recall.get("subject", 1.0) >= 0.8
    assert recall["phrase"] >= 0.6
    assert rate <= 1.0
