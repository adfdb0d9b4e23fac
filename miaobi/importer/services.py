"""Import files into the library as articles. Views and the `miaobi import` command call these.

Guarantees:
- each file is imported in its own transaction: the article, its tags, its index rows and its flags are
  written together or not at all (an interrupted run leaves no half article);
- a file whose normalised text is already in the library (any article, imported or not) is reported as a
  duplicate with the existing article's id and nothing is written: re-running an import adds nothing;
- a near-duplicate (MinHash Jaccard ≥ MIAOBI_NEAR_DUPLICATE_THRESHOLD) is imported as a draft with a
  NearDuplicate record (疑似重复 #id) for an editor, whatever --publish says;
- the indexes are current when an import returns; within a batch the originality fingerprints are written
  every few hundred files (index.deferred_fingerprints), and what a run cut short left queued is written
  by the next run first;
- one bad file never stops a batch: it is reported with its Chinese reason;
- a dry run reads, checks and reports but writes nothing;
- the body is stored exactly as decoded (see readers.py).
"""
from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from miaobi.library.models import Article, Genre, Tag
from miaobi.library.services import article_changed, batch_of_changes
from miaobi.library.tidying import tidy_changes, tidy_text
from miaobi.moderation.services import screen_text

from . import signatures as sig
from .index import deferred_fingerprints
from .models import LshBucket, NearDuplicate, TextSignature
from .readers import ReadError, read_file
from .sources import Item, iter_paths

log = logging.getLogger(__name__)
KEY_PREFIX = "import:"
DEFAULT_GENRE = "huibao"  # 汇报材料, when the genre cannot be guessed and none was given


@dataclass
class ImportOptions:
    genre: str = ""  # slug or name; empty: guessed per file
    tags: list[str] = field(default_factory=list)  # names added to every article
    publish: bool = False
    dry_run: bool = False
    source: str = ""
    normalize: bool = False  # 规范空白与标点 (library/tidying.py), only when the editor asks for it


class OptionError(ValueError):
    """A bad --genre/--tag; str() is Chinese."""


def resolve_genre(value: str) -> Genre | None:
    if not value:
        return None
    genre = Genre.objects.filter(slug=value).first() or Genre.objects.filter(name=value).first()
    if genre is None:
        raise OptionError(f"没有这个文种：{value}")
    return genre


def resolve_tags(names) -> list[Tag]:
    tags = []
    for name in names:
        tag = Tag.objects.filter(name=name).first() or Tag.objects.filter(slug=name).first()
        if tag is None:
            raise OptionError(f"没有这个主题：{name}")
        tags.append(tag)
    return tags


def find_near_duplicate(signature: list[int], *, exclude: set[int] = frozenset()) -> tuple[int, float] | None:
    """(article id, estimated Jaccard) of the most similar indexed article at or above the threshold.
    Reads the LSH buckets of the signature's band keys and the candidates' signatures only."""
    threshold = getattr(settings, "MIAOBI_NEAR_DUPLICATE_THRESHOLD", 0.5)
    candidates = set(LshBucket.objects.filter(key__in=sig.lsh_keys(signature)).values_list("article_id", flat=True))
    candidates -= set(exclude)
    best = None
    for article_id, packed in TextSignature.objects.filter(article_id__in=candidates).values_list("article_id", "minhash"):
        score = sig.similarity(signature, sig.unpack(packed))
        if score >= threshold and (best is None or score > best[1]):
            best = (article_id, score)
    return best


def checks_of(title: str, body: str) -> dict:
    """Moderation hits and integrity-lint findings of a text, for the import report (nothing stored)."""
    screening = screen_text(f"{title}\n{body}")
    result = {"moderation": [{"term": h.term, "excerpt": h.excerpt, "category": h.category_label,
                              "action": h.action} for h in screening.hits[:20]],
              "needs_review": screening.needs_review or screening.blocked, "lint": []}
    try:
        from miaobi.moderation.lint import lint_text
    except ImportError:  # the lint is optional
        return result
    try:
        result["lint"] = [{"kind": f.kind, "label": f.label, "excerpt": f.excerpt, "message": f.message}
                          for f in lint_text(body)[:20]]
    except Exception:  # a lint failure must not lose the import
        log.exception("integrity lint failed")
    return result


def _published_at(parsed_date):
    now = timezone.now()
    if parsed_date is None:
        return now
    when = timezone.make_aware(datetime.combine(parsed_date, time(9, 0)))
    return when if when <= now else now


def import_item(item: Item, options: ImportOptions, *, genre: Genre | None, extra_tags: list[Tag],
                seen: dict[str, str] | None = None, record=None) -> dict:
    """Import one file; returns its result: {"path", "status", ...} where status is imported, duplicate,
    near_duplicate, skipped or error. Never raises for bad input.

    `record(result)`, if given, is called inside the transaction that writes the article, so a batch's
    note of the file commits with the article or not at all (see batches.py)."""
    result = {"path": item.path}
    if item.skipped:
        return {**result, "status": "skipped", "reason": item.skipped}
    if item.error:
        return {**result, "status": "error", "reason": item.error}
    try:
        data = item.read()
        parsed = read_file(data, item.name, tag_names=list(Tag.objects.values_list("name", flat=True)))
    except (ReadError, ValueError) as exc:
        return {**result, "status": "error", "reason": str(exc)}
    except Exception:
        log.exception("import failed reading %s", item.path)
        return {**result, "status": "error", "reason": "读取文件时出错（文件可能已损坏）"}
    # A copy of the file imported with(out) --normalize before is a duplicate too: both forms are looked up.
    other_form = tidy_text(parsed.body)
    if options.normalize and other_form != parsed.body:  # asked for explicitly; the result lists the changes
        result["normalized"] = [{"before": "".join(p for p, _ in c.before), "after": "".join(p for p, _ in c.after)}
                                for c in tidy_changes(parsed.body, other_form)]
        parsed.body, other_form = other_form, parsed.body
    # The stored text's hash last: signatures remember it for the indexing that follows.
    digests = ([sig.text_hash(other_form)] if other_form != parsed.body else []) + [sig.text_hash(parsed.body)]
    digest = digests[-1]
    key = f"{KEY_PREFIX}{digest}"
    result.update(title=parsed.title, encoding=parsed.encoding, genre=(genre.slug if genre else parsed.genre_slug),
                  tags=parsed.tags, date=parsed.date.isoformat() if parsed.date else None,
                  headings=parsed.headings[:30], words=len("".join(parsed.body.split())))
    existing = (TextSignature.objects.filter(text_hash__in=digests).values_list("article_id", flat=True).first()
                or Article.objects.filter(external_key=key).values_list("pk", flat=True).first())
    if existing:
        return {**result, "status": "duplicate", "article": existing}
    if seen is not None and digest in seen:
        return {**result, "status": "duplicate", "article": None, "same_as": seen[digest]}
    signature = sig.minhash(parsed.body)
    near = find_near_duplicate(signature)
    result.update(checks_of(parsed.title, parsed.body))
    if near:
        result.update(similar_to=near[0], similarity=round(near[1], 3))
    if options.dry_run:
        if seen is not None:
            seen[digest] = item.path
        return {**result, "status": "near_duplicate" if near else "imported", "article": None}
    chosen_genre = genre or Genre.objects.filter(slug=parsed.genre_slug or DEFAULT_GENRE).first() or Genre.objects.first()
    if chosen_genre is None:
        return {**result, "status": "error", "reason": "文种目录为空，请先创建文种"}
    publish = options.publish and not near and not result["needs_review"]
    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=parsed.title, body=parsed.body, genre=chosen_genre, source=options.source[:100],
                status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
                published_at=_published_at(parsed.date), external_key=key,
            )
            tag_names = set(parsed.tags)
            article.tags.set(list(Tag.objects.filter(name__in=tag_names)) + list(extra_tags))
            if near:
                NearDuplicate.objects.create(article=article, similar_to_id=near[0], similarity=near[1])
            article_changed(article)
            result.update(article=article.pk, genre=chosen_genre.slug, article_status=article.status,
                          status="near_duplicate" if near else "imported")
            if record:
                record(result)
    except IntegrityError:  # the same text imported concurrently (or the batch's note written by another run)
        existing = Article.objects.filter(external_key=key).values_list("pk", flat=True).first()
        return {**result, "status": "duplicate", "article": existing}
    if seen is not None:
        seen[digest] = item.path
    return result


def empty_summary() -> dict:
    return {"imported": [], "duplicates": [], "near_duplicates": [], "skipped": [], "errors": []}


def add_to_summary(summary: dict, result: dict) -> None:
    """File one file's result into the --json summary shape."""
    status = result["status"]
    if status == "imported":
        summary["imported"].append(result.get("article") if result.get("article") is not None else result["path"])
    elif status == "near_duplicate":
        if result.get("article") is not None:
            summary["imported"].append(result["article"])
        summary["near_duplicates"].append({"path": result["path"], "article": result.get("article"),
                                           "similar_to": result["similar_to"], "similarity": result["similarity"]})
    elif status == "duplicate":
        summary["duplicates"].append({"path": result["path"], "article": result.get("article"),
                                      **({"same_as": result["same_as"]} if "same_as" in result else {})})
    elif status == "skipped":
        summary["skipped"].append({"path": result["path"], "reason": result["reason"]})
    else:
        summary["errors"].append({"path": result["path"], "reason": result["reason"]})


def import_paths(paths, options: ImportOptions, *, progress=None) -> tuple[dict, list[dict]]:
    """Import files, folders (recursive) and .zip archives; returns (summary, per-file results).
    `progress(result)` is called after each file. Raises OptionError (nothing done) for a bad genre/tag."""
    genre = resolve_genre(options.genre)
    extra_tags = resolve_tags(options.tags)
    summary, results, seen = empty_summary(), [], {}
    # Each file is still its own transaction; what serves the whole library is done for the batch: the
    # originality index in passes (index.py), related reading and cached lists once at the end.
    with ExitStack() as batch:
        maybe_flush = lambda: None  # noqa: E731
        if not options.dry_run:
            maybe_flush = batch.enter_context(deferred_fingerprints())
            batch.enter_context(batch_of_changes())
        for item in iter_paths(paths):
            result = import_item(item, options, genre=genre, extra_tags=extra_tags, seen=seen)
            add_to_summary(summary, result)
            results.append(result)
            maybe_flush()
            if progress:
                progress(result)
    return summary, results
