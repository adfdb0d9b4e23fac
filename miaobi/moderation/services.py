"""Moderation's public API. Other apps call these; none of them ever changes the text it is given.

    screen_text(text) -> Screening            hits with offsets into the original text; .blocked,
                                              .needs_review, .block_message
    moderate_object(obj, {field: text})       screen and store flags for editors (replacing the
                                              object's previous open flags); returns the Screening
    moderate_article(article) -> Screening    the same for an article's title and body
    article_publishable(article) -> bool      no unresolved review/block flag on the article
    publication_problem(article) -> str|None  the Chinese reason it may not be published, or None
    check_publishable(article)                re-screen, then raise PublishBlocked if it may not be published
    forget_object(obj)                        delete an object's flags (articles: done on delete)
"""
from __future__ import annotations

import hashlib
import threading
import uuid
from collections import Counter

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from .matching import EMPTY_LEXICON, Hit, Lexicon, Screening, TermEntry
from .models import Flag, LexiconState, Term, WhitelistEntry
from .normalize import normalise_term

CONTEXT_CHARS = 30  # characters of context stored on each side of a flagged hit
_FINGERPRINT_CONTEXT = 4  # an edit this close to a hit asks for a new decision

_cache_lock = threading.Lock()
_cached: tuple[str, Lexicon] | None = None


class PublishBlocked(ValueError):
    """Raised when publishing an object that has unresolved review/block flags. str() is Chinese."""

    def __init__(self, message: str, objects=()):
        super().__init__(message)
        self.objects = list(objects)


# --- the lexicon -------------------------------------------------------------------------------

def lexicon_changed() -> None:
    """Record a lexicon change: every process rebuilds its automaton on its next screening."""
    global _cached
    LexiconState.objects.update_or_create(pk=1, defaults={"revision": uuid.uuid4().hex})
    with _cache_lock:
        _cached = None


def build_lexicon() -> Lexicon:
    """A Lexicon of the active terms and the whitelist, as stored now."""
    terms = [
        TermEntry(text=t.text, category=t.category, action=t.action, replacement=t.replacement, id=t.pk)
        for t in Term.objects.filter(is_active=True).order_by("pk")
    ]
    whitelist = list(WhitelistEntry.objects.values_list("text", flat=True))
    return Lexicon(terms, whitelist) if terms else EMPTY_LEXICON


def current_lexicon() -> Lexicon:
    """The compiled lexicon of this process, rebuilt when the stored revision token changed (one query)."""
    global _cached
    revision = LexiconState.objects.filter(pk=1).values_list("revision", flat=True).first() or ""
    cached = _cached
    if cached is not None and cached[0] == revision:
        return cached[1]
    lexicon = build_lexicon()
    with _cache_lock:
        _cached = (revision, lexicon)
    return lexicon


# --- screening ---------------------------------------------------------------------------------

def screen_text(text: str, *, lexicon: Lexicon | None = None, field: str = "") -> Screening:
    """Screen a text against the lexicon. Never changes the text; hit offsets point into it.

    `.blocked`: refuse the input and show `.block_message`; `.needs_review`: hold for an editor.
    """
    if not text:
        return Screening([])
    return (lexicon or current_lexicon()).screen(text, field=field)


def screen_fields(fields: dict[str, str], *, lexicon: Lexicon | None = None) -> Screening:
    """Screen several named texts at once; each hit carries its field name and offsets into that field."""
    lexicon = lexicon or current_lexicon()
    hits: list[Hit] = []
    for name, text in fields.items():
        hits.extend(screen_text(text or "", lexicon=lexicon, field=name).hits)
    return Screening(hits)


def _fingerprint(hit: Hit, text: str, seen: Counter) -> str:
    """Identifies a hit across edits: field, term, matched words, a little context, occurrence number."""
    before = text[max(0, hit.start - _FINGERPRINT_CONTEXT):hit.start]
    after = text[hit.end:hit.end + _FINGERPRINT_CONTEXT]
    key = "\x1f".join([hit.field, hit.term, hit.excerpt, before, after])
    seen[key] += 1
    return hashlib.sha1(f"{key}\x1f{seen[key]}".encode()).hexdigest()


@transaction.atomic
def moderate_object(obj, fields: dict[str, str], *, lexicon: Lexicon | None = None) -> Screening:
    """Screen the named text fields of a saved object and store flags for editors.

    Replaces the object's previous open flags. A hit an editor already approved or rejected (same
    field, term, words and surrounding context) keeps that decision and is not raised again; resolved
    flags whose hit has left the text are marked as no longer current. The object is not touched.
    """
    lexicon = lexicon or current_lexicon()
    screening = _seeded_screening(fields, lexicon) or screen_fields(fields, lexicon=lexicon)
    content_type = ContentType.objects.get_for_model(obj)
    existing = Flag.objects.filter(content_type=content_type, object_id=obj.pk)
    existing.filter(status=Flag.Status.OPEN).delete()
    resolved = dict(existing.exclude(status=Flag.Status.OPEN).values_list("fingerprint", "pk"))
    seen: Counter = Counter()
    current: set[str] = set()
    new_flags = []
    for hit in screening.hits:
        text = fields[hit.field] or ""
        fingerprint = _fingerprint(hit, text, seen)
        current.add(fingerprint)
        if fingerprint in resolved:
            continue
        new_flags.append(Flag(
            content_type=content_type, object_id=obj.pk, field=hit.field, term_id=hit.term_id,
            term_text=hit.term[:100], category=hit.category, action=hit.action, replacement=hit.replacement[:100],
            start=hit.start, end=hit.end, excerpt=hit.excerpt[:300],
            context_before=text[max(0, hit.start - CONTEXT_CHARS):hit.start],
            context_after=text[hit.end:hit.end + CONTEXT_CHARS], fingerprint=fingerprint,
        ))
    Flag.objects.bulk_create(new_flags)
    if resolved:
        existing.exclude(status=Flag.Status.OPEN).filter(fingerprint__in=current).update(is_current=True)
        existing.exclude(status=Flag.Status.OPEN).exclude(fingerprint__in=current).update(is_current=False)
    return screening


_seeded: list = [None]  # (fields, lexicon, screening) screened ahead of the save, e.g. by an import worker


def seed_screening(fields: dict[str, str], lexicon: Lexicon, screening: Screening) -> None:
    """Remember a screening made elsewhere (an import's worker process) of exactly these fields with this
    lexicon: the next moderate_object of the same fields uses it instead of screening again."""
    _seeded[0] = (fields, lexicon, screening)


def _seeded_screening(fields: dict[str, str], lexicon: Lexicon) -> Screening | None:
    seeded = _seeded[0]
    if seeded is None or seeded[1] is not lexicon or seeded[0] != fields:
        return None
    return seeded[2]


def article_fields(article) -> dict[str, str]:
    return {"title": article.title or "", "body": article.body or ""}


def moderate_article(article, *, lexicon: Lexicon | None = None) -> Screening:
    """Screen an article's title and body and store flags for editors (see moderate_object)."""
    return moderate_object(article, article_fields(article), lexicon=lexicon)


def moderate_articles(articles, *, progress=None) -> dict:
    """Re-screen many articles with one lexicon; `progress(done, total)` is called after each.

    Returns {"articles": n, "hits": n, "blocking": n} (blocking: articles now unpublishable).
    """
    articles = list(articles)
    lexicon = current_lexicon()
    hits = blocking = 0
    for done, article in enumerate(articles, start=1):
        screening = moderate_article(article, lexicon=lexicon)
        hits += len(screening.hits)
        if not article_publishable(article):
            blocking += 1
        if progress:
            progress(done, len(articles))
    return {"articles": len(articles), "hits": hits, "blocking": blocking}


# --- publication -------------------------------------------------------------------------------

def publication_problem(obj) -> str | None:
    """Why `obj` may not be published (Chinese), from its stored flags; None if nothing stands in the way.

    Open or rejected flags of action review/block whose hit is still in the text stand in the way.
    """
    flags = list(Flag.objects.for_object(obj).blocking().order_by("field", "start"))
    if not flags:
        return None
    open_words = list(dict.fromkeys(f.excerpt for f in flags if f.status == Flag.Status.OPEN))
    rejected_words = list(dict.fromkeys(f.excerpt for f in flags if f.status == Flag.Status.REJECTED))
    name = f"《{obj}》"
    parts = []
    if open_words:
        parts.append(f"有 {sum(f.status == Flag.Status.OPEN for f in flags)} 处待审核内容（"
                     + "、".join(f"“{w}”" for w in open_words[:5]) + ("等" if len(open_words) > 5 else "")
                     + "）尚未放行")
    if rejected_words:
        parts.append("有内容已被驳回（" + "、".join(f"“{w}”" for w in rejected_words[:5])
                     + ("等" if len(rejected_words) > 5 else "") + "），须修改正文")
    return f"{name}{'；'.join(parts)}，暂不能发布。请在“内容审核 › 审核队列”处理后再发布。"


def article_publishable(article) -> bool:
    """True if the article has no unresolved review/block flag (as stored by its last screening)."""
    return publication_problem(article) is None


def check_publishable(*articles) -> None:
    """Re-screen the articles as they are now (stored flags follow), then raise PublishBlocked, naming
    every article that may not be published, if any may not. An unsaved article is screened only."""
    problems, refused = [], []
    for article in articles:
        if article.pk is None:
            screening = screen_fields(article_fields(article))
            problem = (f"《{article}》" + (screening.block_message or screening.review_message)
                       if screening.blocked or screening.needs_review else None)
        else:
            moderate_article(article)
            problem = publication_problem(article)
        if problem:
            problems.append(problem)
            refused.append(article)
    if problems:
        raise PublishBlocked("\n".join(problems), refused)


# --- editors' decisions ------------------------------------------------------------------------

@transaction.atomic
def resolve_flags(flags, status: str, user=None) -> int:
    """Approve (放行) or reject (驳回) flags; returns how many changed. The flagged text is not touched."""
    if status not in (Flag.Status.APPROVED, Flag.Status.REJECTED):
        raise ValueError(f"unknown decision {status!r}")
    pks = [f.pk for f in flags if f.status != status]
    return Flag.objects.filter(pk__in=pks).update(
        status=status, resolved_at=timezone.now(), resolved_by=user if user and user.is_authenticated else None,
    )


def whitelist_candidate(flag: Flag) -> str:
    """The word to whitelist for a flag: the segmented word around the hit if longer, else the hit itself."""
    import rjieba

    from miaobi.segmentation import segment

    segment("")  # loads the 公文 dictionary once
    context = flag.context_before + flag.excerpt + flag.context_after
    start, end = len(flag.context_before), len(flag.context_before) + len(flag.excerpt)
    for word, s, e in rjieba.tokenize(context):
        if s <= start and end <= e and e - s > end - start:
            return word
    return flag.excerpt


@transaction.atomic
def whitelist_flags(flags, user=None) -> list[str]:
    """Add each flag's whitelist candidate to the whitelist and approve the flags; returns the words added."""
    added = []
    for flag in flags:
        word = whitelist_candidate(flag)
        normalized = normalise_term(word)
        if normalized and not WhitelistEntry.objects.filter(normalized=normalized).exists():
            WhitelistEntry.objects.create(text=word, note=f"来自审核队列：{flag.term_text}"[:200])
            added.append(word)
    resolve_flags(flags, Flag.Status.APPROVED, user)
    return added


def forget_object(obj) -> int:
    """Delete every flag of an object (call when the object is deleted); returns how many."""
    return Flag.objects.for_object(obj).delete()[0]


def open_flags_for(obj):
    """The object's flags whose hit is still in the text (open and resolved), in text order."""
    return Flag.objects.for_object(obj).filter(is_current=True).order_by("field", "start")
