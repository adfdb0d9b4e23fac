"""Text normalisation and tokens, shared by the index and the queries (they must agree exactly).

normalise(): NFKC (full-width letters and digits, compatibility forms), traditional → simplified
(OpenCC t2s), lower case, control characters to spaces. Then the words of rjieba's search mode
with the 公文 dictionary (miaobi/segmentation.py), each cut into runs of letters and digits, so that
both search backends (FTS5's unicode61 tokenizer, PostgreSQL's `simple` parser) see exactly the
tokens we made and nothing of their own making.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import rjieba

from miaobi.segmentation import segment, segment_for_search

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
# Runs of letters and digits (no underscore: FTS5's unicode61 treats it as a separator).
_TOKEN = re.compile(r"[^\W_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_local = threading.local()


def _converter():
    # OpenCC objects are not documented as thread-safe: one per thread (gunicorn may use threads).
    conv = getattr(_local, "opencc", None)
    if conv is None:
        import opencc

        conv = _local.opencc = opencc.OpenCC("t2s")
    return conv


def to_simplified(text: str) -> str:
    return _converter().convert(text) if text else text


def normalise(text: str) -> str:
    """The form both the index and the queries are made of: NFKC, simplified, lower case, no control characters."""
    text = text or ""
    if not unicodedata.is_normalized("NFKC", text):  # most texts already are: the check is cheaper
        text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    return to_simplified(text).lower()


def split_token(word: str) -> list[str]:
    return _TOKEN.findall(word)


def index_words(text: str) -> list[str]:
    """Tokens of a normalised text for the index: search-mode words (whole words and their parts).

    The same as splitting each word of segment_for_search() into letter/digit runs, done in one
    pass over the joined words (indexing 100,000 texts spends most of its Python time here).
    """
    segment_for_search("")  # loads the 公文 dictionary once per process
    return _TOKEN.findall(" ".join(rjieba.cut_for_search(text)))


def query_words(text: str) -> list[str]:
    """Tokens of a normalised query chunk: precise-mode words (the index holds these and their parts)."""
    out = []
    for word in segment(text):
        out.extend(split_token(word))
    return out


def han_chars(text: str) -> list[str]:
    """The distinct Chinese characters of a normalised text, in first-seen order (single-character search)."""
    return list(dict.fromkeys(_HAN.findall(text)))


def is_single_han(token: str) -> bool:
    return len(token) == 1 and bool(_HAN.match(token))


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    folded = normalise(ch)
    return folded if len(folded) == 1 else ch


def fold_for_matching(text: str) -> str:
    """normalise() character by character, keeping the length: position i still means text[i].

    Used to find query words in displayed text (titles, snippets) and mark them in the original.
    """
    return "".join(_fold_char(ch) for ch in text)
