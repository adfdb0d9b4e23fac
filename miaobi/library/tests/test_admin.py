"""Editors work in the Django admin: lists, filters, actions, structure and preview while editing."""
import pytest
from django.contrib.auth import get_user_model

from miaobi.library.models import Article, Genre, RelatedArticle

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("boss", password="pw-boss-123")
    client.force_login(user)
    return client


def test_article_list_filters_and_search(admin_client, make_article):
    make_article(title="水利讲话甲")
    make_article(title="草稿乙", status=Article.Status.DRAFT)
    html = admin_client.get("/admin/library/article/?status__exact=draft").content.decode()
    assert "草稿乙" in html and "水利讲话甲" not in html
    html = admin_client.get("/admin/library/article/?q=水利").content.decode()
    assert "水利讲话甲" in html


def test_change_form_shows_structure_preview_and_visitor_link(admin_client, make_article):
    article = make_article()
    html = admin_client.get(f"/admin/library/article/{article.pk}/change/").content.decode()
    assert "识别出的结构" in html and "一级标题：一、提高认识" in html and "称呼：同志们：" in html
    assert "读者看到的预览" in html and "……略……" in html
    assert f"/a/{article.pk}/?as=visitor" in html


def test_adding_an_article_in_the_admin_publishes_it_with_related_reading(admin_client, make_article):
    others = [make_article() for _ in range(5)]
    genre = Genre.objects.get(slug="jianghua")
    response = admin_client.post("/admin/library/article/add/", {
        "title": "新写的讲话", "genre": genre.pk, "body": others[0].body, "source": "", "status": "published",
        "published_at_0": "2026-01-05", "published_at_1": "09:30:00", "tags": [],
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="新写的讲话")
    assert article.word_count == others[0].word_count
    assert RelatedArticle.objects.filter(article=article).count() >= 5


def test_status_actions(admin_client, make_article):
    a, b = make_article(), make_article()
    admin_client.post("/admin/library/article/", {"action": "draft_selected", "_selected_action": [a.pk, b.pk]})
    assert set(Article.objects.values_list("status", flat=True)) == {"draft"}
    admin_client.post("/admin/library/article/", {"action": "publish_selected", "_selected_action": [a.pk]})
    a.refresh_from_db()
    assert a.status == "published"


def test_delete_action_goes_through_the_service(admin_client, make_article):
    a, b = make_article(), make_article()
    admin_client.post("/admin/library/article/", {"action": "delete_selected_articles", "_selected_action": [b.pk]})
    assert not Article.objects.filter(pk=b.pk).exists()
    assert not RelatedArticle.objects.filter(related_id=b.pk).exists()
