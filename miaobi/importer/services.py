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
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from miaobi.library.models import Article, Genre, Tag
from miaobi.library.services import article_changed, batch_of_changes
from miaobi.library.tidying import tidy_changes, tidy_text
from miaobi.moderation.matching import Screening
from miaobi.moderation.services import article_fields, current_lexicon, screen_fields, seed_screening

from . import signatures as sig
from .index import deferred_fingerprints
from .models import LshBucket, NearDuplicate, TextSignature
from .pipeline import Pipeline
from .readers import Parsed, ReadError, read_file
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
    Reads the signatures of the articles sharing an LSH band key with this one, in one query."""
    threshold = getattr(settings, "MIAOBI_NEAR_DUPLICATE_THRESHOLD", 0.5)
    keys = sorted(set(sig.lsh_keys(signature)))
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {q('article_id')}, {q('minhash')} FROM {q(TextSignature._meta.db_table)} "
            f"WHERE {q('article_id')} IN (SELECT {q('article_id')} FROM {q(LshBucket._meta.db_table)} "
            f"WHERE {q('key')} IN ({', '.join(['%s'] * len(keys))}))", keys)
        rows = cursor.fetchall()
    best = None
    for article_id, packed in rows:
        if article_id in exclude:
            continue
        score = sig.similarity(signature, sig.unpack(packed))
        if score >= threshold and (best is None or score > best[1]):
            best = (article_id, score)
    return best


def checks_of(title: str, body: str, *, lexicon=None, screening=None) -> dict:
    """Moderation hits and integrity-lint findings of a text, for the import report (nothing stored)."""
    screening = screening or screen_fields({"title": title, "body": body}, lexicon=lexicon)
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


@dataclass
class Prepared:
    """What one file gives before the database is asked anything: pure work, done in a worker process
    when the import runs a pool (see Pipeline). `result` is final when `parsed` is None (a bad file)."""

    result: dict
    parsed: Parsed | None = None
    digests: list[str] = field(default_factory=list)  # the stored text's hash last
    signature: list[int] = field(default_factory=list)
    screening: Screening | None = None
    prints: tuple | None = None  # signatures.fingerprints() of the body, for the originality index


def prepare_item(path: str, name: str, data: bytes, options: ImportOptions, tag_names: list[str],
                 lexicon) -> Prepared:
    """Parse one file and compute everything about it that needs no database. Never raises for bad input."""
    result = {"path": path}
    try:
        parsed = read_file(data, name, tag_names=tag_names)
    except (ReadError, ValueError) as exc:
        return Prepared({**result, "status": "error", "reason": str(exc)})
    except Exception:
        log.exception("import failed reading %s", path)
        return Prepared({**result, "status": "error", "reason": "读取文件时出错（文件可能已损坏）"})
    # A copy of the file imported with(out) --normalize before is a duplicate too: both forms are looked up.
    other_form = tidy_text(parsed.body)
    if options.normalize and other_form != parsed.body:  # asked for explicitly; the result lists the changes
        result["normalized"] = [{"before": "".join(p for p, _ in c.before), "after": "".join(p for p, _ in c.after)}
                                for c in tidy_changes(parsed.body, other_form)]
        parsed.body, other_form = other_form, parsed.body
    digests = ([sig.text_hash(other_form)] if other_form != parsed.body else []) + [sig.text_hash(parsed.body)]
    result.update(title=parsed.title, encoding=parsed.encoding, genre=parsed.genre_slug,
                  tags=parsed.tags, date=parsed.date.isoformat() if parsed.date else None,
                  headings=parsed.headings[:30], words=len("".join(parsed.body.split())))
    screening = screen_fields({"title": parsed.title, "body": parsed.body}, lexicon=lexicon)
    result.update(checks_of(parsed.title, parsed.body, screening=screening))
    prints = sig.fingerprints(parsed.body) if not options.dry_run else None
    return Prepared(result, parsed, digests, sig.minhash(parsed.body), screening, prints)


def import_item(item: Item, options: ImportOptions, *, genre: Genre | None, extra_tags: list[Tag],
                seen: dict[str, str] | None = None, record=None, tag_names: list[str] | None = None) -> dict:
    """Import one file; returns its result: {"path", "status", ...} where status is imported, duplicate,
    near_duplicate, skipped or error. Never raises for bad input.

    `record(result)`, if given, is called inside the transaction that writes the article, so a batch's
    note of the file commits with the article or not at all (see batches.py)."""
    if item.skipped or item.error:
        return finished_item(item)
    data = read_item(item)
    if isinstance(data, dict):
        return data
    if tag_names is None:
        tag_names = list(Tag.objects.values_list("name", flat=True))
    lexicon = current_lexicon()
    prepared = prepare_item(item.path, item.name, data, options, tag_names, lexicon)
    return store_item(prepared, options, genre=genre, extra_tags=extra_tags, seen=seen, record=record, lexicon=lexicon)


def read_item(item: Item) -> bytes | dict:
    """The file's bytes, or its error result."""
    try:
        return item.read()
    except (ReadError, ValueError) as exc:
        return {"path": item.path, "status": "error", "reason": str(exc)}
    except Exception:
        log.exception("import failed reading %s", item.path)
        return {"path": item.path, "status": "error", "reason": "读取文件时出错（文件可能已损坏）"}


def finished_item(item: Item) -> dict:
    """The result of an item the sources already refused (skipped or in error)."""
    if item.skipped:
        return {"path": item.path, "status": "skipped", "reason": item.skipped}
    return {"path": item.path, "status": "error", "reason": item.error}


def store_item(prepared: Prepared, options: ImportOptions, *, genre: Genre | None, extra_tags: list[Tag],
               seen: dict[str, str] | None = None, record=None, catalogue: dict | None = None, lexicon=None) -> dict:
    """The database half of import_item: duplicate checks, then the article in its own transaction.
    `lexicon`: the one the file was screened with (if the lexicon changed since, the save screens again)."""
    result, parsed = prepared.result, prepared.parsed
    if parsed is None:
        return result
    digests = prepared.digests
    digest = digests[-1]
    key = f"{KEY_PREFIX}{digest}"
    if genre:
        result["genre"] = genre.slug
    existing = (TextSignature.objects.filter(text_hash__in=digests).values_list("article_id", flat=True).first()
                or Article.objects.filter(external_key=key).values_list("pk", flat=True).first())
    if existing:
        return {**result, "status": "duplicate", "article": existing}
    if seen is not None and digest in seen:
        return {**result, "status": "duplicate", "article": None, "same_as": seen[digest]}
    near = find_near_duplicate(prepared.signature)
    if near:
        result.update(similar_to=near[0], similarity=round(near[1], 3))
    if options.dry_run:
        if seen is not None:
            seen[digest] = result["path"]
        return {**result, "status": "near_duplicate" if near else "imported", "article": None}
    chosen_genre = genre or _genre_for(parsed.genre_slug, catalogue)
    if chosen_genre is None:
        return {**result, "status": "error", "reason": "文种目录为空，请先创建文种"}
    publish = options.publish and not near and not result["needs_review"]
    # What the worker computed stands in for the same work in the save's signal receivers.
    sig.text_hash.seed(parsed.body, digest)
    sig.minhash.seed(parsed.body, prepared.signature)
    if prepared.prints is not None:
        sig.fingerprints.seed(parsed.body, prepared.prints)
    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=parsed.title, body=parsed.body, genre=chosen_genre, source=options.source[:100],
                status=Article.Status.PUBLISHED if publish else Article.Status.DRAFT,
                published_at=_published_at(parsed.date), external_key=key,
            )
            tag_ids = dict.fromkeys(t.pk for t in [*_tags_named(parsed.tags, catalogue), *extra_tags])
            if tag_ids:  # a new article: no existing links to look up (what tags.add() would do first)
                Article.tags.through.objects.bulk_create(
                    [Article.tags.through(article_id=article.pk, tag_id=pk) for pk in tag_ids])
            if near:
                NearDuplicate.objects.create(article=article, similar_to_id=near[0], similarity=near[1])
            if prepared.screening is not None and lexicon is not None:
                seed_screening(article_fields(article), lexicon, prepared.screening)
            article_changed(article)
            result.update(article=article.pk, genre=chosen_genre.slug, article_status=article.status,
                          status="near_duplicate" if near else "imported")
            if record:
                record(result)
    except IntegrityError:  # the same text imported concurrently (or the batch's note written by another run)
        existing = Article.objects.filter(external_key=key).values_list("pk", flat=True).first()
        return {**result, "status": "duplicate", "article": existing}
    if seen is not None:
        seen[digest] = result["path"]
    return result


def _genre_for(slug: str, catalogue: dict | None) -> Genre | None:
    """The guessed genre (or the default); `catalogue` (a batch's lookups) saves a query per file."""
    if catalogue is None:
        return Genre.objects.filter(slug=slug or DEFAULT_GENRE).first() or Genre.objects.first()
    if "genres" not in catalogue:  # (setdefault would run the query for every file)
        catalogue["genres"] = {g.slug: g for g in Genre.objects.order_by("pk")}
    genres = catalogue["genres"]
    return genres.get(slug or DEFAULT_GENRE) or genres.get(DEFAULT_GENRE) or next(iter(genres.values()), None)


def _tags_named(names, catalogue: dict | None) -> list[Tag]:
    if not names:
        return []
    if catalogue is None:
        return list(Tag.objects.filter(name__in=set(names)))
    if "tags" not in catalogue:
        catalogue["tags"] = {t.name: t for t in Tag.objects.all()}
    tags = catalogue["tags"]
    return [tags[n] for n in dict.fromkeys(names) if n in tags]


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


def import_paths(paths, options: ImportOptions, *, progress=None, workers: int | None = None) -> tuple[dict, list[dict]]:
    """Import files, folders (recursive) and .zip archives; returns (summary, per-file results).
    `progress(result)` is called after each file. Raises OptionError (nothing done) for a bad genre/tag.
    `workers`: processes for the per-file work that needs no database (default: import_workers())."""
    genre = resolve_genre(options.genre)
    extra_tags = resolve_tags(options.tags)
    summary, results, seen = empty_summary(), [], {}
    catalogue: dict = {}  # genres and tags, looked up once for the batch
    # Each file is still its own transaction; what serves the whole library is done for the batch: the
    # originality index in passes (index.py), related reading and cached lists once at the end.
    with ExitStack() as batch:
        maybe_flush = lambda: None  # noqa: E731
        if not options.dry_run:
            maybe_flush = batch.enter_context(deferred_fingerprints())
            batch.enter_context(batch_of_changes())
        tag_names, lexicon = list(Tag.objects.values_list("name", flat=True)), current_lexicon()
        pipeline = batch.enter_context(Pipeline(options, tag_names, lexicon, workers))
        for prepared in pipeline.prepared(iter_paths(paths)):
            result = store_item(prepared, options, genre=genre, extra_tags=extra_tags, seen=seen, catalogue=catalogue,
                                lexicon=lexicon)
            add_to_summary(summary, result)
            results.append(result)
            maybe_flush()
            if progress:
                progress(result)
    return summary, results
