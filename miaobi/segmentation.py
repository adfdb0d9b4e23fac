"""Chinese word segmentation (jieba-compatible, via rjieba) with the 公文 domain dictionary.

The dictionary (data/gongwen_dict.txt: `term [frequency]` a line) is loaded once per process,
on first use, so that terms such as 主题教育 or 走深走实 come out whole.
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

import rjieba

DICTIONARY = Path(__file__).parent / "data" / "gongwen_dict.txt"
DEFAULT_FREQ = 20000
_loaded = False
_lock = threading.Lock()
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff\U00020000-\U0003134f]")


def load_dictionary(path: Path = DICTIONARY) -> int:
    """Add the domain terms to the segmenter; returns how many were added."""
    added = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else DEFAULT_FREQ
        rjieba.add_word(parts[0], freq, None)
        added += 1
    return added


def _ensure_loaded() -> None:
    global _loaded
    if not _loaded:
        with _lock:
            if not _loaded:
                load_dictionary()
                _loaded = True


def segment(text: str) -> list[str]:
    """Words of the text in order (precise mode), punctuation and spaces dropped."""
    _ensure_loaded()
    return [w for w in rjieba.cut(text) if _WORDLIKE.search(w)]


def segment_for_search(text: str) -> list[str]:
    """Words plus their shorter parts (search mode), for indexing and queries."""
    _ensure_loaded()
    return [w for w in rjieba.cut_for_search(text) if _WORDLIKE.search(w)]
