"""相关阅读: articles ranked by content similarity, computed on change and stored.

Similarity is the cosine of TF-IDF vectors over segmented text (title counted twice), each vector
cut to its heaviest MAX_KEYWORDS terms, boosted by a shared genre and shared tags. Document
frequencies are kept in TermStat, so one article's change costs a few queries, not a corpus scan;
`rebuild_all_related` recomputes everything (after a bulk load).
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F

from miaobi.segmentation import segment

from .models import Article, ArticleKeyword, ArticleTerms, RelatedArticle, TermStat

MAX_KEYWORDS = 40
MIN_RELATED = 5
GENRE_BOOST = 0.05
TAG_BOOST = 0.03
MAX_TAG_BOOST = 0.09
MAX_TERM_LENGTH = 64
STOPWORDS = frozenset(
    "我们 你们 他们 一个 一些 这个 那个 这些 那些 以及 并且 而且 但是 因为 所以 如果 虽然 通过 进行 "
    "对于 关于 还是 或者 已经 可以 能够 需要 就是 不是 没有 什么 怎么 这样 那样 其中 之一 同时 "
    "其他 有关 为了 一是 二是 三是 四是 五是 今天 今年 明年 上午 下午 各位 同志 同志们".split()
)


def term_counts(title: str, body: str) -> Counter:
    words = segment(f"{title}\n{title}\n{body}")
    return Counter(
        w for w in words
        if len(w) >= 2 and len(w) <= MAX_TERM_LENGTH and w not in STOPWORDS and not w.isdigit()
    )


def keyword_weights(counts: Counter | dict, doc_freq: dict[str, int], doc_total: int) -> dict[str, float]:
    """The heaviest terms of a TF-IDF vector (sublinear tf, smoothed idf), unit-normalised before the cut."""
    weights = {
        term: (1 + math.log(tf)) * (math.log((doc_total + 1) / (doc_freq.get(term, 0) + 1)) + 1)
        for term, tf in counts.items()
    }
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    top = sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_KEYWORDS]
    return {term: w / norm for term, w in top}


@dataclass
class _Candidate:
    genre_id: int
    tag_ids: frozenset[int]


def _rank(article: Article, tag_ids: frozenset[int], similarities: dict[int, float],
          candidates: dict[int, _Candidate]) -> list[tuple[int, float]]:
    scored = []
    for other_id, similarity in similarities.items():
        info = candidates.get(other_id)
        if info is None:
            continue
        boost = GENRE_BOOST if info.genre_id == article.genre_id else 0.0
        boost += min(MAX_TAG_BOOST, TAG_BOOST * len(tag_ids & info.tag_ids))
        scored.append((other_id, similarity + boost))
    scored.sort(key=lambda item: (-item[1], -item[0]))
    return scored[: settings.MIAOBI_RELATED_COUNT]


def _public_info(ids) -> dict[int, _Candidate]:
    info = {
        pk: _Candidate(genre_id, frozenset())
        for pk, genre_id in Article.objects.published().filter(pk__in=ids).values_list("pk", "genre_id")
    }
    tags = defaultdict(set)
    for article_id, tag_id in Article.tags.through.objects.filter(article_id__in=info).values_list("article_id", "tag_id"):
        tags[article_id].add(tag_id)
    return {pk: _Candidate(c.genre_id, frozenset(tags[pk])) for pk, c in info.items()}


def _fill_up(article: Article, ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Too few similar texts (a new library): fill with the newest of the same genre, then any."""
    if len(ranked) >= MIN_RELATED:
        return ranked
    have = {pk for pk, _ in ranked} | {article.pk}
    need = settings.MIAOBI_RELATED_COUNT - len(ranked)
    public = Article.objects.published().exclude(pk__in=have).newest_first()
    extra = list(public.filter(genre_id=article.genre_id).values_list("pk", flat=True)[:need])
    if len(extra) < need:
        extra += list(public.exclude(pk__in=extra).values_list("pk", flat=True)[: need - len(extra)])
    return ranked + [(pk, 0.0) for pk in extra]


def _store(article_id: int, ranked: list[tuple[int, float]]) -> None:
    RelatedArticle.objects.filter(article_id=article_id).delete()
    RelatedArticle.objects.bulk_create(
        RelatedArticle(article_id=article_id, related_id=pk, score=score, rank=i)
        for i, (pk, score) in enumerate(ranked)
    )


def index_article(article: Article) -> dict[str, float]:
    """Update the term statistics and keywords of one article (removed from the index if not public)."""
    old_row = ArticleTerms.objects.filter(article=article).first()
    old = set(old_row.counts) if old_row else set()
    counts = term_counts(article.title, article.body) if article.is_public else Counter()
    new = set(counts)
    added, removed = new - old, old - new
    if added:
        TermStat.objects.bulk_create([TermStat(term=t, doc_count=0) for t in added], ignore_conflicts=True)
        TermStat.objects.filter(term__in=added).update(doc_count=F("doc_count") + 1)
    if removed:
        TermStat.objects.filter(term__in=removed).update(doc_count=F("doc_count") - 1)
    ArticleKeyword.objects.filter(article=article).delete()
    if not counts:
        ArticleTerms.objects.filter(article=article).delete()
        return {}
    ArticleTerms.objects.update_or_create(article=article, defaults={"counts": dict(counts)})
    doc_freq = dict(TermStat.objects.filter(term__in=new).values_list("term", "doc_count"))
    weights = keyword_weights(counts, doc_freq, ArticleTerms.objects.count())
    ArticleKeyword.objects.bulk_create(ArticleKeyword(article=article, term=t, weight=w) for t, w in weights.items())
    return weights


def compute_related(article: Article, weights: dict[str, float] | None = None) -> list[tuple[int, float]]:
    """Rank and store the related articles of one article; returns [(id, score)]."""
    if weights is None:
        weights = dict(ArticleKeyword.objects.filter(article=article).values_list("term", "weight"))
    similarities: dict[int, float] = defaultdict(float)
    rows = ArticleKeyword.objects.filter(term__in=weights).exclude(article_id=article.pk)
    for other_id, term, weight in rows.values_list("article_id", "term", "weight"):
        similarities[other_id] += weights[term] * weight
    top = dict(sorted(similarities.items(), key=lambda kv: -kv[1])[:100])
    tag_ids = frozenset(article.tags.values_list("pk", flat=True))
    ranked = _fill_up(article, _rank(article, tag_ids, top, _public_info(top)))
    _store(article.pk, ranked)
    return ranked


def refresh_related(article: Article) -> None:
    """After an article is published, changed or withdrawn: its own list and its neighbours' lists."""
    with transaction.atomic():
        neighbours = set(RelatedArticle.objects.filter(related=article).values_list("article_id", flat=True))
        weights = index_article(article)
        if article.is_public:
            ranked = compute_related(article, weights)
            neighbours |= {pk for pk, _ in ranked}
        else:
            RelatedArticle.objects.filter(related=article).delete()
        for other in Article.objects.published().filter(pk__in=neighbours - {article.pk}):
            compute_related(other)


def refresh_related_of(articles) -> int:
    """refresh_related for many articles at once (the end of an import): what each one needs, with every
    neighbour ranked once. Articles never public and never listed (new drafts) need nothing. Returns how
    many articles were refreshed."""
    articles = list(articles)
    ids = {a.pk for a in articles}
    listed = set(RelatedArticle.objects.filter(related_id__in=ids).values_list("related_id", flat=True))
    indexed = set(ArticleTerms.objects.filter(article_id__in=ids).values_list("article_id", flat=True))
    todo = [a for a in articles if a.is_public or a.pk in listed or a.pk in indexed]
    with transaction.atomic():
        neighbours = set(RelatedArticle.objects.filter(related_id__in=[a.pk for a in todo]).values_list("article_id", flat=True))
        weights = {a.pk: index_article(a) for a in todo}  # first every text's terms: each list below sees them all
        public = {a.pk for a in todo if a.is_public}
        for article in todo:
            if article.pk in public:
                neighbours |= {pk for pk, _ in compute_related(article, weights[article.pk])}
            else:
                RelatedArticle.objects.filter(related=article).delete()
        for other in Article.objects.published().filter(pk__in=neighbours - public):
            compute_related(other)
    return len(todo)


def rebuild_all_related() -> int:
    """Recompute term statistics, keywords and related lists of every public article; returns the count."""
    public = list(Article.objects.published().prefetch_related("tags"))
    counts = {a.pk: term_counts(a.title, a.body) for a in public}
    doc_freq: Counter = Counter()
    for c in counts.values():
        doc_freq.update(c.keys())
    weights = {pk: keyword_weights(c, doc_freq, len(counts)) for pk, c in counts.items()}
    inverted: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for pk, kw in weights.items():
        for term, w in kw.items():
            inverted[term].append((pk, w))
    info = {a.pk: _Candidate(a.genre_id, frozenset(t.pk for t in a.tags.all())) for a in public}
    with transaction.atomic():
        for model in (RelatedArticle, ArticleKeyword, ArticleTerms, TermStat):
            model.objects.all().delete()
        TermStat.objects.bulk_create((TermStat(term=t, doc_count=n) for t, n in doc_freq.items()), batch_size=2000)
        ArticleTerms.objects.bulk_create((ArticleTerms(article_id=pk, counts=dict(c)) for pk, c in counts.items()), batch_size=500)
        ArticleKeyword.objects.bulk_create(
            (ArticleKeyword(article_id=pk, term=t, weight=w) for pk, kw in weights.items() for t, w in kw.items()),
            batch_size=2000,
        )
        for article in public:
            similarities: dict[int, float] = defaultdict(float)
            for term, w in weights[article.pk].items():
                for other_id, other_w in inverted[term]:
                    if other_id != article.pk:
                        similarities[other_id] += w * other_w
            ranked = _fill_up(article, _rank(article, info[article.pk].tag_ids, similarities, info))
            _store(article.pk, ranked)
    return len(public)
