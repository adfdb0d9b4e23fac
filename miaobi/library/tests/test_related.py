"""相关阅读: ranked by content similarity, stored on change, at least five when the library has them."""
import pytest

from miaobi.library.models import Article, RelatedArticle
from miaobi.library.related import rebuild_all_related
from miaobi.library.selectors import related_articles as related_entries
from miaobi.library.services import delete_articles, set_status

pytestmark = pytest.mark.django_db


def related_articles(article):
    """The stored related list as articles, best first."""
    ids = [entry.pk for entry in related_entries(article)]
    found = Article.objects.in_bulk(ids)
    return [found[pk] for pk in ids]

WATER = "农田水利建设要抓好渠道改造和塘坝清淤，提高灌溉水有效利用系数，确保旱涝保收。" * 8
SAFETY = "安全生产要压实企业主体责任，开展隐患排查治理，严防重特大事故发生。" * 8
YOUTH = "青年干部要加强理论学习，到基层一线经受锻炼，在急难险重任务中增长才干。" * 8


def test_similar_texts_rank_first(make_article):
    water = make_article(title="水利建设讲话", body=WATER)
    fillers = [make_article(title=f"安全讲话{i}", body=SAFETY + str(i)) for i in range(4)]
    water_twin = make_article(title="塘坝清淤与渠道改造", body=WATER + "各乡镇要加快进度。")
    youth = make_article(title="青年干部座谈", body=YOUTH)
    related = related_articles(water)
    assert related[0] == water_twin
    assert youth in related or len(related) >= 5
    assert len(related) >= 5
    assert water not in related
    assert {a.pk for a in related_articles(fillers[0])[:3]} <= {f.pk for f in fillers}


def test_shared_genre_and_tags_break_ties(make_article):
    base = make_article(body=SAFETY, genre="jianghua", tags=["安全生产"])
    same = make_article(body=SAFETY, genre="jianghua", tags=["安全生产"])
    other = make_article(body=SAFETY, genre="xinde")
    ranked = related_articles(base)
    assert ranked.index(same) < ranked.index(other)


def test_unpublishing_removes_an_article_from_others_lists(make_article):
    a = make_article(body=WATER)
    b = make_article(body=WATER + "补充。")
    assert b in related_articles(a)
    set_status([b], Article.Status.DRAFT)
    assert b not in related_articles(a)
    assert not RelatedArticle.objects.filter(related=b).exists()


def test_a_new_article_joins_its_neighbours_lists(make_article):
    a = make_article(body=WATER)
    for i in range(6):
        make_article(body=YOUTH + str(i))
    twin = make_article(body=WATER + "再补充。")
    assert related_articles(a)[0] == twin


def test_deleting_an_article_updates_the_index(make_article):
    a = make_article(body=WATER)
    b = make_article(body=WATER + "补充。")
    delete_articles([b])
    assert b.pk is None or not Article.objects.filter(title=b.title).exists()
    assert all(r.pk != b.pk for r in related_articles(a))


def test_rebuild_and_incremental_updates_agree(make_article):
    bodies = [WATER, SAFETY, YOUTH, WATER, SAFETY, YOUTH, WATER, SAFETY]
    articles = [make_article(body=body + str(i)) for i, body in enumerate(bodies)]
    family = {a.pk: body for a, body in zip(articles, bodies)}

    def top_is_own_family():
        for a in articles:
            top = related_articles(a)[0]
            assert family[top.pk] == family[a.pk]

    top_is_own_family()
    rebuild_all_related()
    top_is_own_family()


def test_small_library_fills_up_with_newest(make_article):
    a = make_article(body=WATER)
    others = [make_article(body=f"完全不同的内容第{i}篇，讨论会务安排。") for i in range(5)]
    assert len(related_articles(a)) == 5
    assert set(related_articles(a)) == set(others)
