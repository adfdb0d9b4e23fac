"""Reading queries: any input becomes bounded, safe terms; index and query normalise alike."""
import re

import pytest

from miaobi.search.query import MAX_EXCLUDED, MAX_TERMS, parse_query
from miaobi.search.ratelimit import Rate, parse_rate
from miaobi.search.text import fold_for_matching, han_chars, index_words, normalise

SAFE = re.compile(r"^[^\W_]+$")
SYNTAX = ['"', "*", ":", "(", ")", "^", "NEAR", "AND", "OR", "NOT", "-", "+", "{", "}", "[", "]", "'", ";", "%",
          "_", "\\", "/", "|", "&", "!", "<", ">", "=", "~", "`", "?", ",", ".", "@", "#", "$"]


def all_words(parsed):
    return [w for t in parsed.required + parsed.excluded for w in (*t.words, *t.parts)]


@pytest.mark.parametrize("char", SYNTAX)
def test_syntax_characters_never_survive_as_syntax(char):
    for raw in [char, f"工会{char}讲话", f"{char}工会 {char}讲话{char}", char * 50]:
        parsed = parse_query(raw)
        assert all(SAFE.match(w) for w in all_words(parsed)), (raw, all_words(parsed))


@pytest.mark.parametrize("raw", ["", "   ", "\t\n", "\x00\x01\x1f", "😀", "👍🏻🇨🇳", "。，、；：？！", "\u200b\ufeff"])
def test_empty_whitespace_emoji_and_punctuation_have_no_terms(raw):
    parsed = parse_query(raw)
    assert parsed.is_empty and not parsed.excluded


def test_words_joined_or_separated_give_the_same_terms():
    assert [t.words for t in parse_query("工会讲话").required] == [("工会",), ("讲话",)]
    assert [t.words for t in parse_query("工会 讲话").required] == [("工会",), ("讲话",)]


def test_function_characters_are_dropped_between_words():
    assert [t.words[0] for t in parse_query("工会的讲话").required] == ["工会", "讲话"]
    assert [t.words[0] for t in parse_query("的").required] == ["的"]


def test_phrase_exclusion_single_characters_digits_and_latin():
    parsed = parse_query('"安全生产 工作" -外卖 党 2025 ABC')
    assert parsed.required[0].phrase == "安全生产工作" and parsed.required[0].words == ("安全生产", "工作")
    assert [t.words for t in parsed.excluded] == [("外卖",)]
    assert [t.words[0] for t in parsed.required[1:]] == ["党", "2025", "abc"]
    assert parsed.required[1].is_char and not parsed.required[2].is_char
    assert parse_query("“乡村振兴”").required[0].words == ("乡村振兴",)
    assert parse_query('-"青年 干部" 讲话').excluded[0].phrase == "青年干部"


def test_traditional_full_width_and_case_are_folded_alike_in_query_and_index():
    assert [t.words[0] for t in parse_query("黨員").required] == ["党员"]
    assert "党员" in index_words(normalise("黨員幹部"))
    assert [t.words[0] for t in parse_query("ＡＢＣ１２３").required] == ["abc123"]
    assert parse_query("Word文档").words == ["word", "文档"]
    assert normalise("ＰＤＦ格式") == "pdf格式"
    assert fold_for_matching("黨員ＡＢ") == "党员ab" and len(fold_for_matching("㈠黨")) == 2


def test_long_queries_are_cut_to_100_characters_and_say_so():
    parsed = parse_query("工" * 10_000)
    assert parsed.truncated and len(parsed.display) == 100
    assert not parse_query("工" * 100).truncated


def test_term_counts_are_bounded():
    parsed = parse_query(" ".join(f"词{i}" for i in range(50)) + " " + " ".join(f"-排{i}" for i in range(50)))
    assert len(parsed.required) <= MAX_TERMS and len(parsed.excluded) <= MAX_EXCLUDED


def test_a_minus_alone_or_only_exclusions_find_nothing_to_search():
    assert parse_query("-").is_empty
    parsed = parse_query("-培训")
    assert parsed.is_empty and parsed.excluded


def test_long_words_carry_their_parts():
    term = parse_query("农田水利").required[0]
    assert term.words == ("农田水利",) and set(term.parts) >= {"农田", "水利"}


def test_han_chars_are_distinct_in_order():
    assert han_chars("党员党课abc") == ["党", "员", "课"]


@pytest.mark.parametrize("value,rate", [("30/m", Rate(30, 60)), ("500/h", Rate(500, 3600)), ("5/10s", Rate(5, 10)),
                                        ("100 / minute", Rate(100, 60)), ("off", None)])
def test_rate_settings_are_read(value, rate):
    assert parse_rate(value) == rate


@pytest.mark.parametrize("value", ["", "abc", "30", "30/x", "-3/m", "0/m"])
def test_unreadable_rates_are_refused(value):
    with pytest.raises(ValueError):
        parse_rate(value)
