"""Reading a reader's query: whatever they type becomes a bounded list of plain terms."""
from __future__ import annotations

import re
import unicodedata

MAX_QUERY_CHARS = 100
MAX_TERMS = 8
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise_query(raw: str) -> tuple[str, bool]:
    """(query, truncated): NFKC (full-width letters and digits), no control characters, at most 100 characters."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", raw or ""))
    text = " ".join(text.split())
    truncated = len(text) > MAX_QUERY_CHARS
    return text[:MAX_QUERY_CHARS], truncated


def query_terms(query: str) -> list[str]:
    terms = []
    for token in query.split():
        token = token.strip("\"'*:()^")
        if token and token not in terms:
            terms.append(token)
    return terms[:MAX_TERMS]
