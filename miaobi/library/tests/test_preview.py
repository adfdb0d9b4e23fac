"""Preview properties: verbatim windows, budget, last section never complete, determinism."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from miaobi.conftest import SPEECH
from miaobi.library.models import count_words
from miaobi.library.preview import build_preview, preview_budget
from miaobi.library.structure import parse_structure

CN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
PUNCT = "，。、；：！？“”"


def make_body(draw_paragraphs, draw_headings):
    return draw_paragraphs, draw_headings


sentence = st.text(alphabet=CN, min_size=2, max_size=40).map(lambda s: s + "。")
paragraph = st.lists(sentence, min_size=1, max_size=6).map("".join)
heading_marker = st.sampled_from(["一、", "二、", "三、", "四、", "（一）", "（二）", "1.", "（1）", "第一部分 "])


@st.composite
def bodies(draw):
    lines = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["同志们：", "各位领导、同志们：", "尊敬的各位来宾："])))
    for _ in range(draw(st.integers(0, 12))):
        if draw(st.integers(0, 3)) == 0:
            lines.append(draw(heading_marker) + draw(st.text(alphabet=CN, min_size=1, max_size=25)))
        else:
            lines.append(draw(paragraph))
    sep = draw(st.sampled_from(["\n", "\r\n", "\n\n", "\n\u3000\u3000"]))
    return sep.join(lines)


any_text = st.one_of(bodies(), st.text(max_size=600), st.text(alphabet=CN + PUNCT + "\n一、（）1.", max_size=3000))
budgets = st.tuples(st.floats(0, 1, allow_nan=False), st.integers(0, 3000))


@settings(max_examples=300, deadline=None)
@given(any_text, budgets)
def test_windows_are_verbatim_in_order_and_within_budget(body, budget):
    ratio, max_chars = budget
    preview = build_preview(body, ratio, max_chars)
    assert preview.budget == preview_budget(count_words(body), ratio, max_chars)
    assert preview.shown_chars <= preview.budget
    last_end = 0
    for w in preview.windows:
        assert 0 <= last_end <= w.start < w.end <= len(body)
        last_end = w.end
    for part in preview.parts():
        for piece in part.pieces:
            assert piece.text in body


@settings(max_examples=300, deadline=None)
@given(any_text, budgets)
def test_the_end_of_the_text_is_never_shown(body, budget):
    preview = build_preview(body, *budget)
    if not preview.windows:
        return
    last_char = max(i for i, ch in enumerate(body) if not ch.isspace())
    assert all(w.end <= last_char for w in preview.windows)
    shown = "".join(preview.texts)
    assert count_words(shown) < count_words(body)


@settings(max_examples=200, deadline=None)
@given(bodies())
def test_the_last_section_is_never_complete(body):
    outline = parse_structure(body)
    level1 = outline.headings(level=1)
    preview = build_preview(body, 0.9, 100000)
    if not level1 or not preview.windows:
        return
    last = level1[-1]
    section_text = count_words(body[last.start:])
    shown_in_last = sum(count_words(body[w.start:w.end]) for w in preview.windows if w.start >= last.start)
    assert shown_in_last < section_text


@settings(max_examples=100, deadline=None)
@given(any_text, budgets)
def test_deterministic(body, budget):
    a, b = build_preview(body, *budget), build_preview(body, *budget)
    assert [(w.start, w.end) for w in a.windows] == [(w.start, w.end) for w in b.windows]


@settings(max_examples=150, deadline=None)
@given(st.lists(paragraph, min_size=1, max_size=20).map("\n".join))
def test_text_without_headings_gets_opening_and_more(body):
    preview = build_preview(body, 0.3, 1500)
    if preview.budget >= 20:
        assert preview.windows, "a text of this size must get some preview"
        assert preview.windows[0].start == 0, "the preview starts with the opening"


def test_every_level_one_heading_is_shown_with_elisions_between():
    preview = build_preview(SPEECH, 0.3, 1500)
    texts = "\n".join(preview.texts)
    for heading in ["一、提高认识", "二、突出重点", "三、强化保障"]:
        assert heading in texts
    kinds = [p.kind for p in preview.parts()]
    assert kinds[0] == "salutation" and "elision" in kinds
    assert preview.plain_text.endswith("……")
    assert "谢谢大家" not in texts


def test_budget_is_thirty_percent_capped_at_1500():
    assert preview_budget(1000) == 300
    assert preview_budget(100000) == 1500
    assert preview_budget(1000, ratio=0.5, max_chars=200) == 200


def test_long_text_preview_stays_within_1500_characters():
    body = "\n".join(f"{'一二三四五六七八九十'[i]}、第{i + 1}部分的标题\n" + "这是一段足够长的正文内容，用于检验预览的字数上限。" * 40 for i in range(10))
    preview = build_preview(body)
    assert preview.budget == 1500
    assert 1000 < preview.shown_chars <= 1500
    assert all(f"第{i + 1}部分的标题" in "".join(preview.texts) for i in range(10))


def test_single_paragraph_text_shows_at_most_half():
    body = "这是一段没有分段也没有标题的文字。" * 30
    preview = build_preview(body, 0.9, 10000)
    assert 0 < preview.shown_chars <= count_words(body) // 2


@settings(max_examples=300, deadline=None)
@given(bodies(), budgets)
def test_a_sub_heading_is_shown_with_some_of_its_text(body, budget):
    preview = build_preview(body, *budget)
    blocks = parse_structure(body).blocks
    windows = sorted(preview.windows, key=lambda w: w.start)
    for i, w in enumerate(windows):
        if not (w.is_title and w.block.level >= 2):
            continue
        after = windows[i + 1] if i + 1 < len(windows) else None
        assert after is not None and not after.is_title, "the preview must not end a part on a bare sub-heading"
        j = blocks.index(w.block)
        assert after.block == w.block or (j + 1 < len(blocks) and after.block == blocks[j + 1])
