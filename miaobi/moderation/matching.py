"""Lexicon matching: one Aho-Corasick automaton (daachorse) over terms and whitelist entries.

Pure functions and plain objects, no database: `services` builds a `Lexicon` from the tables, the
benchmark and the tests build one from lists.

Whitelist semantics, exactly: a term hit is suppressed if and only if it lies wholly inside a whitelist
hit. All hits are found overlapping (terms and whitelist entries in one pass), then filtered: with terms
习, 习近, 大学 and whitelist 学习, 学习贯彻 raises nothing, 学习近况 raises 习近, 大学习惯 raises 大学.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

import daachorse

from .normalize import normalise, normalise_term

ACTION_LABELS = {"block": "拦截", "review": "待审", "flag": "提示"}
CATEGORY_LABELS = {
    "political": "政治敏感", "vulgar": "低俗", "ads": "广告引流", "illegal": "违法违规",
    "outdated": "过时提法", "custom": "自定义",
}
# Severity order when one matched span belongs to several entries (never happens: terms are unique).
_ACTION_RANK = {"block": 3, "review": 2, "flag": 1}


@dataclass(frozen=True)
class TermEntry:
    """One lexicon term as the matcher sees it."""

    text: str
    category: str = "custom"
    action: str = "review"
    replacement: str = ""
    id: int | None = None


@dataclass(slots=True)
class Hit:
    """A term found in a text. `start`/`end` are offsets into the ORIGINAL text; excerpt == text[start:end]."""

    term: str
    category: str
    action: str
    start: int
    end: int
    excerpt: str
    replacement: str = ""
    field: str = ""
    term_id: int | None = None

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


@dataclass
class Screening:
    """The outcome of screening a text (or the fields of one object). The text itself is never changed."""

    hits: list[Hit] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        """True if any hit's action is `block`: the input must be refused."""
        return any(h.action == "block" for h in self.hits)

    @property
    def needs_review(self) -> bool:
        """True if any hit's action is `review`: an editor must clear it before publication."""
        return any(h.action == "review" for h in self.hits)

    @property
    def flagged(self) -> bool:
        return bool(self.hits)

    def words(self, action: str | None = None) -> list[str]:
        """The distinct offending words as written in the text, in order of appearance."""
        return list(dict.fromkeys(h.excerpt for h in self.hits if action is None or h.action == action))

    @property
    def block_message(self) -> str:
        """A Chinese explanation for a refused input, naming the offending words ("" if not blocked)."""
        if not self.blocked:
            return ""
        words = "、".join(f"“{w}”" for w in self.words("block"))
        return f"提交的内容含有不允许发布的词语：{words}。请修改后再提交。"

    @property
    def review_message(self) -> str:
        """A Chinese note for content held for an editor ("" if nothing needs review)."""
        if not self.needs_review:
            return ""
        words = "、".join(f"“{w}”" for w in self.words("review"))
        return f"内容含有需要编辑审核的词语：{words}，审核通过后才能发布。"


class LexiconError(ValueError):
    pass


class Lexicon:
    """Compiled terms and whitelist. Immutable once built; safe to share between threads."""

    def __init__(self, terms: list[TermEntry], whitelist: list[str] = ()):
        patterns: dict[str, int] = {}
        self._terms: list[TermEntry | None] = []
        self._white: list[bool] = []
        for entry in terms:
            key = normalise_term(entry.text)
            if not key:
                continue
            index = patterns.setdefault(key, len(patterns))
            if index == len(self._terms):
                self._terms.append(entry)
                self._white.append(False)
            else:
                current = self._terms[index]
                if current is None or _ACTION_RANK.get(entry.action, 0) > _ACTION_RANK.get(current.action, 0):
                    self._terms[index] = entry
        for text in whitelist:
            key = normalise_term(text)
            if not key:
                continue
            index = patterns.setdefault(key, len(patterns))
            if index == len(self._terms):
                self._terms.append(None)
                self._white.append(True)
            else:
                self._white[index] = True
        self.size = len(patterns)
        self.term_count = sum(1 for t in self._terms if t is not None)
        self.whitelist_count = sum(self._white)
        self._automaton = daachorse.CharwiseDoubleArrayAhoCorasick(list(patterns)) if patterns else None

    def find_ids(self, matching_text: str) -> list[tuple[int, int, int]]:
        """(start, end, pattern id) of the term hits in a text already in matching form, whitelist applied."""
        if self._automaton is None or not matching_text:
            return []
        raw = self._automaton.find_overlapping(matching_text)
        white = self._white
        if not self.whitelist_count:
            return raw
        white_spans = [(s, e) for s, e, p in raw if white[p]]
        if not white_spans:
            return raw  # no whitelist pattern in the text: every hit is a term hit
        white_spans.sort()
        starts = [s for s, _ in white_spans]
        reach = list(accumulate((e for _, e in white_spans), max))  # furthest end among whitelist hits so far
        terms = self._terms
        out = []
        for hit in raw:
            s, e, p = hit
            if terms[p] is None:
                continue
            i = bisect_right(starts, s) - 1  # whitelist hits that start at or before s
            if i >= 0 and reach[i] >= e:
                continue  # wholly inside a whitelist hit
            out.append(hit)
        return out

    def find(self, matching_text: str) -> list[tuple[int, int, TermEntry]]:
        """Term hits in a text already in matching form, whitelist applied; offsets in matching form."""
        terms = self._terms
        return [(s, e, terms[p]) for s, e, p in self.find_ids(matching_text)]

    def screen(self, text: str, *, field: str = "") -> Screening:
        """Screen one text; hits in order of their start, spans into the original text."""
        normalised = normalise(text)
        found = self.find_ids(normalised.text)
        if not found:
            return Screening([])
        offsets = normalised.offsets
        identity = len(offsets.runs_at) == 1 and offsets.starts is None
        span = offsets.span
        terms = self._terms
        hits = []
        for s, e, p in found:
            start, end = (s, e) if identity else span(s, e)
            entry = terms[p]
            hits.append(Hit(entry.text, entry.category, entry.action, start, end, text[start:end],
                            entry.replacement, field, entry.id))
        hits.sort(key=lambda h: (h.start, -h.end))
        return Screening(hits)


EMPTY_LEXICON = Lexicon([])
