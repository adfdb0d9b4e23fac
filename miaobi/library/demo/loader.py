"""Load the demo library (demo/texts/*.txt): genres, tags and original articles. Idempotent.

Each file is keyed by its name (external_key "demo:<name>"); an article that exists is left as the
editors may have changed it. Publish times are spread over the year before `now`, deterministically.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from miaobi.moderation.services import moderate_articles
from miaobi.search.services import index_articles

from ..catalogue import GENRES, TAGS
from ..models import Article, Genre, Tag
from ..fragments import library_changed
from ..related import rebuild_all_related

TEXTS_DIR = Path(__file__).parent / "texts"
DEMO_SOURCE = "妙笔智库"


class DemoTextError(ValueError):
    pass


@dataclass
class DemoText:
    key: str
    title: str
    genre: str
    tags: list[str]
    body: str


def parse_demo_text(path: Path) -> DemoText:
    raw = path.read_text(encoding="utf-8")
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        raise DemoTextError(f"{path.name}: missing the '---' line between header and body")
    fields = {}
    for line in head.splitlines():
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip()] = value.strip()
    for required in ("title", "genre"):
        if not fields.get(required):
            raise DemoTextError(f"{path.name}: missing '{required}:' in the header")
    tags = [t.strip() for t in fields.get("tags", "").replace("，", ",").split(",") if t.strip()]
    return DemoText(f"demo:{path.stem}", fields["title"], fields["genre"], tags, body.strip("\n"))


def ensure_catalogue() -> None:
    """Create the standard genres and tags that are missing (editors' changes are kept)."""
    for position, (name, slug, description) in enumerate(GENRES, start=1):
        Genre.objects.get_or_create(slug=slug, defaults={"name": name, "description": description, "position": position})
    for name, slug in TAGS:
        Tag.objects.get_or_create(name=name, defaults={"slug": slug})


def _publish_time(index: int, total: int, key: str, now):
    """Spread over the last 365 days, newest last in file order, with a stable time of day."""
    digest = int(hashlib.sha256(key.encode()).hexdigest(), 16)
    days_back = 365 * (total - 1 - index) / max(total - 1, 1)
    seconds = digest % (11 * 3600)  # 08:00-19:00 local time, as a studio publishes
    when = timezone.localtime(now) - timedelta(days=days_back)
    published = when.replace(hour=8, minute=0, second=0, microsecond=0) + timedelta(seconds=seconds)
    return published - timedelta(days=1) if published > now else published  # never scheduled in the future


def load_demo(texts_dir: Path = TEXTS_DIR, now=None) -> dict:
    """Load every demo text; returns {"created": n, "existing": n, "total": n}."""
    now = now or timezone.now()
    paths = sorted(texts_dir.glob("*.txt"))
    texts = [parse_demo_text(p) for p in paths]
    # Interleave genres so "latest" shows a mix, not one genre at a time.
    texts.sort(key=lambda t: (int(t.key.rsplit("-", 1)[-1]) if t.key.rsplit("-", 1)[-1].isdigit() else 0, t.key))
    created, created_ids = 0, []
    with transaction.atomic():
        ensure_catalogue()
        genres = {g.slug: g for g in Genre.objects.all()}
        tags = {t.name: t for t in Tag.objects.all()}
        for index, text in enumerate(texts):
            if text.genre not in genres:
                raise DemoTextError(f"{text.key}: unknown genre slug {text.genre!r}")
            if Article.objects.filter(external_key=text.key).exists():
                continue
            article = Article.objects.create(
                title=text.title, body=text.body, genre=genres[text.genre], source=DEMO_SOURCE,
                status=Article.Status.PUBLISHED, published_at=_publish_time(index, len(texts), text.key, now),
                external_key=text.key,
            )
            missing = [name for name in text.tags if name not in tags]
            if missing:
                raise DemoTextError(f"{text.key}: unknown tags {missing}")
            article.tags.set([tags[name] for name in text.tags])
            created_ids.append(article.pk)
            created += 1
        if created:
            rebuild_all_related()
            index_articles(created_ids)  # the search index, in the same transaction
            # Screened for editors' information only: demo texts load (and stay published) whatever the lexicon says.
            moderate_articles(Article.objects.filter(pk__in=created_ids))
            library_changed()
    return {"created": created, "existing": len(texts) - created, "total": len(texts)}
