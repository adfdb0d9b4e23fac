"""Reading a reader's query: whatever they type becomes a bounded, safe list of terms.

The query language:
  工会讲话          words, separated or not: every word must occur (工会 … 讲话)
  "安全生产 工作"   an exact phrase (also “…” and 「…」): its words, adjacent, in this order
  -外卖             leave out texts with this word (or -"a phrase")
  党  2025  abc     single characters, digits and years, Latin letters
Traditional characters and full-width letters and digits are folded (黨員 finds 党员, ＡＢＣ finds abc).

Guarantees: the terms hold only letters and digits (no syntax of FTS5, tsquery or SQL survives),
there are at most MAX_TERMS required and MAX_EXCLUDED excluded terms, and the query is cut to
MAX_QUERY_CHARS characters (the caller tells the reader so).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .text import index_words, is_single_han, normalise, query_words

MAX_QUERY_CHARS = 100
MAX_TERMS = 8
MAX_EXCLUDED = 4
# Function characters dropped from a run of words that has others (的 in 工会的讲话 says nothing).
STOP_CHARS = frozenset("的了在是和与及或等之对为把被将从向于就也都而并上下里着过个这那其以给让所其")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CHUNK = re.compile(r'(-?)(?:"([^"]*)"|“([^”]*)”|「([^」]*)」|『([^』]*)』|(\S+))')
_COMPACT = re.compile(r"[^\W_]+")


def compact(text: str) -> str:
    """Letters and digits only: the form phrases are compared in (spaces and punctuation do not count)."""
    return "".join(_COMPACT.findall(text))


@dataclass(frozen=True)
class Term:
    """One thing a text must (or must not) contain.

    words: a single word or character, or a phrase's words (then `phrase` is its compact text).
    parts: for a long word, its shorter parts, any text holding all of them also matches
    (the whole word still ranks higher): segmentation in context may have split it.
    """

    words: tuple[str, ...]
    phrase: str = ""
    parts: tuple[str, ...] = ()

    @property
    def is_char(self) -> bool:
        return len(self.words) == 1 and not self.phrase and is_single_han(self.words[0])


@dataclass
class ParsedQuery:
    display: str                      # what the reader typed: NFKC, one space between words, at most 100 characters
    normalised: str                   # the same, simplified and lower case (logs, cache keys)
    truncated: bool = False
    required: list[Term] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    match_any: bool = False           # any required term suffices (the partial matches after few full ones)

    @property
    def is_empty(self) -> bool:
        return not self.required

    @property
    def has_phrases(self) -> bool:
        return any(t.phrase for t in self.required + self.excluded)

    @property
    def highlight_terms(self) -> list[str]:
        """Normalised strings to mark in titles and snippets: phrases whole, else each word."""
        out: list[str] = []
        for term in self.required:
            for piece in ([term.phrase] if term.phrase else term.words):
                if piece and piece not in out:
                    out.append(piece)
        return out

    @property
    def words(self) -> list[str]:
        """Every required word (phrases' words too), for suggestions and typeahead."""
        return [w for t in self.required for w in t.words]


def normalise_query(raw: str) -> tuple[str, bool]:
    """(query, truncated): NFKC (full-width letters and digits), no control characters, at most 100 characters."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", raw or ""))
    text = " ".join(text.split())
    truncated = len(text) > MAX_QUERY_CHARS
    return text[:MAX_QUERY_CHARS].strip(), truncated


def _word_term(word: str) -> Term:
    parts: tuple[str, ...] = ()
    if len(word) >= 3:
        pieces = [p for p in index_words(word) if p != word and len(p) >= 2]
        # Keep the parts only if together they cover the word (else they would match too loosely).
        if pieces and len(set("".join(pieces))) >= len(set(word)):
            parts = tuple(dict.fromkeys(pieces))
    return Term(words=(word,), parts=parts)


def _terms_of_chunk(chunk: str, quoted: bool) -> list[Term]:
    words = query_words(chunk)
    if not words:
        return []
    if quoted and len(words) > 1:
        return [Term(words=tuple(words), phrase=compact(chunk))]
    if len(words) > 1:
        content = [w for w in words if w not in STOP_CHARS]
        words = content or words
    return [_word_term(w) for w in words]


def parse_query(raw: str) -> ParsedQuery:
    """Any string → a ParsedQuery (never raises)."""
    display, truncated = normalise_query(raw)
    text = normalise(display)
    parsed = ParsedQuery(display=display, normalised=" ".join(text.split()), truncated=truncated)
    seen: set[tuple] = set()
    for match in _CHUNK.finditer(text):
        minus = match.group(1) == "-"
        quoted_text = next((g for g in match.groups()[1:5] if g is not None), None)
        chunk = quoted_text if quoted_text is not None else match.group(6)
        if chunk is None:
            continue
        for term in _terms_of_chunk(chunk, quoted_text is not None):
            key = (minus, term.words, term.phrase)
            if key in seen:
                continue
            seen.add(key)
            target, limit = (parsed.excluded, MAX_EXCLUDED) if minus else (parsed.required, MAX_TERMS)
            if len(target) < limit:
                target.append(term)
    return parsed
