"""`miaobi demo`: at least 60 original articles across 10+ genres and 15+ tags, loaded once."""
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from miaobi.library.demo.loader import TEXTS_DIR, DemoTextError, load_demo, parse_demo_text
from miaobi.library.models import Article, RelatedArticle, Tag
from miaobi.library.structure import parse_structure

pytestmark = pytest.mark.django_db


def test_demo_library_loads_once(catalogue):
    out = StringIO()
    call_command("demo", stdout=out)
    assert "articles added" in out.getvalue()
    public = Article.objects.published()
    assert public.count() >= 60
    assert public.values("genre").distinct().count() >= 10
    assert Tag.objects.filter(articles__in=public).distinct().count() >= 15
    first_count = Article.objects.count()
    assert load_demo()["created"] == 0
    assert Article.objects.count() == first_count


def test_demo_articles_are_real_gongwen(catalogue):
    load_demo()
    now = timezone.now()
    dates = []
    for article in Article.objects.all():
        assert 1500 <= article.word_count <= 4000, article.title
        outline = parse_structure(article.body)
        assert len(outline.headings(level=1)) >= 2, article.title
        dates.append(article.published_at)
        assert not re.search(r"[\u4e00-\u9fff][,:;!?][\u4e00-\u9fff]", article.body), article.title
    assert min(dates) >= now - timezone.timedelta(days=366)
    assert max(dates) <= now
    assert (max(dates) - min(dates)).days >= 300


def test_every_demo_article_has_five_related(catalogue):
    load_demo()
    for article in Article.objects.published():
        assert RelatedArticle.objects.filter(article=article).count() >= 5


def test_demo_texts_do_not_reuse_the_seed_page():
    # Phrases of the seed capture that must never appear in our own texts.
    seed_phrases = ["践行宗旨为民造福", "强富美高", "求学圆梦行动", "当好主人翁、建功新时代", "mbgs777"]
    for path in TEXTS_DIR.glob("*.txt"):
        text = path.read_text(encoding="utf-8")
        assert not any(p in text for p in seed_phrases), path.name


def test_a_broken_demo_file_gets_a_clear_error(tmp_path):
    bad = tmp_path / "x-01.txt"
    bad.write_text("title: 没有分隔线\n正文", encoding="utf-8")
    with pytest.raises(DemoTextError, match="missing the '---' line"):
        parse_demo_text(bad)
