"""Matching without the database: normalisation with offsets, whitelist semantics, the Screening object."""
import pytest

from miaobi.moderation.matching import Lexicon, Screening, TermEntry
from miaobi.moderation.normalize import normalise, normalise_term


def lexicon(terms, whitelist=(), action="review", category="custom"):
    return Lexicon([TermEntry(t, category=category, action=action) for t in terms], list(whitelist))


def raised(lex, text):
    return [(h.term, h.excerpt) for h in lex.screen(text).hits]


@pytest.mark.parametrize("text, expected", [
    ("学习贯彻", []),                       # 习 lies inside the whitelisted 学习
    ("学习近况", [("习近", "习近")]),        # starts inside 学习 but ends outside it
    ("大学习惯", [("大学", "大学")]),        # 大学 is not inside 学习; 习 is
    ("认真学习，近期", []),                   # punctuation ends a match: no 习近 across "，"
])
def test_whitelist_semantics_exactly_as_specified(text, expected):
    lex = lexicon(["习", "习近", "大学"], ["学习"])
    assert raised(lex, text) == expected


def test_a_term_outside_any_whitelist_hit_is_raised_even_next_to_one():
    lex = lexicon(["习"], ["学习"])
    assert raised(lex, "习学习习") == [("习", "习"), ("习", "习")]
    assert [(h.start, h.end) for h in lex.screen("习学习习").hits] == [(0, 1), (3, 4)]


def test_overlapping_terms_are_all_reported():
    lex = lexicon(["加微信", "微信", "信号"])
    assert raised(lex, "请加微信号") == [("加微信", "加微信"), ("微信", "微信"), ("信号", "信号")]


@pytest.mark.parametrize("text, excerpt", [
    ("快加微信吧", "加微信"),
    ("快加 微 信吧", "加 微 信"),
    ("快加*微*信吧", "加*微*信"),
    ("快加-微-信吧", "加-微-信"),
    ("快加\u200b微\u3000信吧", "加\u200b微\u3000信"),
    ("快加·微★信吧", "加·微★信"),
    ("快加微信吧", "加微信"),
    ("快加微信吧", "加微信"),
])
def test_separators_inserted_to_dodge_the_filter(text, excerpt):
    hits = lexicon(["加微信"]).screen(text).hits
    assert [h.excerpt for h in hits] == [excerpt]
    assert text[hits[0].start:hits[0].end] == excerpt


@pytest.mark.parametrize("text, excerpt", [
    ("請加微信聯繫", "加微信"),      # traditional characters
    ("快加ＶＸ", "加ＶＸ"),          # full-width letters
    ("快加vx", "加vx"),             # case
    ("快加 Ｖ x", "加 Ｖ x"),
])
def test_full_width_traditional_and_case(text, excerpt):
    hits = lexicon(["加微信", "加VX"]).screen(text).hits
    assert [h.excerpt for h in hits] == [excerpt]


def test_terms_are_normalised_like_the_text():
    assert normalise_term("加 Ｖ-X") == "加vx"
    assert normalise_term("學習") == "学习"
    assert normalise_term(" * - ") == ""
    assert raised(lexicon(["學習 貫徹"]), "认真学习贯彻") == [("學習 貫徹", "学习贯彻")]


def test_offsets_survive_expanding_and_combining_characters():
    text = "①⑩㈱ 加\u0301微信，ﬁ加微信"
    hits = lexicon(["加微信"]).screen(text).hits
    assert [text[h.start:h.end] for h in hits] == ["加\u0301微信", "加微信"]
    n = normalise("Ａ①ｂ")
    assert n.text == "a1b" and [n.offsets.span(i, i + 1) for i in range(3)] == [(0, 1), (1, 2), (2, 3)]


def test_line_breaks_end_a_match():
    assert raised(lexicon(["加微信"]), "加微\n信") == []


def test_screening_flags_and_messages():
    lex = Lexicon([TermEntry("兼职刷单", "ads", "block"), TermEntry("加微信", "ads", "review"),
                   TermEntry("工商局", "outdated", "flag", "市场监督管理局")])
    s = lex.screen("兼职刷单，加微信，去工商局")
    assert s.blocked and s.needs_review and s.flagged
    assert "“兼职刷单”" in s.block_message and "加微信" not in s.block_message
    assert "“加微信”" in s.review_message
    assert [h.replacement for h in s.hits if h.action == "flag"] == ["市场监督管理局"]
    assert [h.action_label for h in s.hits] == ["拦截", "待审", "提示"]
    clean = lex.screen("今天开会")
    assert not clean.blocked and not clean.needs_review and clean.block_message == "" and clean.hits == []
    assert Screening().hits == []


def test_screening_never_changes_the_text():
    text = "請加 Ｖ 信，學習近況"
    copy = str(text)
    lexicon(["加v信", "习近"], ["学习"]).screen(text)
    assert text == copy


def test_empty_lexicon_and_empty_text():
    assert Lexicon([]).screen("加微信").hits == []
    assert lexicon(["加微信"]).screen("").hits == []
    assert lexicon(["***"]).term_count == 0  # nothing left after normalisation: not a pattern
