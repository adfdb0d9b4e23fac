"""Moderation with the database: screening, flags on articles, publication held for editors, the queue."""
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from miaobi.library.models import Article, Genre
from miaobi.library.services import PublishBlocked, article_changed, publish, set_status
from miaobi.moderation.models import Flag, Term, WhitelistEntry
from miaobi.moderation.services import (
    article_publishable, moderate_article, moderate_object, publication_problem, screen_text,
)

pytestmark = pytest.mark.django_db

CLEAN = "同志们：\n今天召开全县春季农业生产工作会议，主要任务是部署春耕备耕。\n一、抓好春耕\n各乡镇要抓紧检修农机。"
SPAMMY = "同志们：\n今天召开全县春季农业生产工作会议。会后有意者请加 微 信详谈，另可代刷好评。\n一、抓好春耕\n各乡镇要抓紧检修农机。"


@pytest.fixture
def studio_terms(db):
    Term.objects.create(text="代刷好评", category="ads", action="review")
    Term.objects.create(text="违禁样例", category="illegal", action="block")
    Term.objects.create(text="老名称样例", category="outdated", action="flag", replacement="新名称样例")


def test_screen_text_uses_the_stored_lexicon_and_follows_changes(studio_terms):
    assert screen_text("可以代刷好评").needs_review
    assert not screen_text("可以代刷好评").blocked
    refused = screen_text("出售违禁样例")
    assert refused.blocked and "“违禁样例”" in refused.block_message
    Term.objects.filter(text="代刷好评").delete()  # a change: every process rebuilds its automaton
    assert not screen_text("可以代刷好评").hits
    WhitelistEntry.objects.create(text="违禁样例说明")
    assert not screen_text("这是违禁样例说明").hits
    assert screen_text("这是违禁样例").blocked


def test_saving_an_article_stores_flags_and_keeps_the_text(studio_terms, make_article):
    article = make_article(body=SPAMMY, status=Article.Status.DRAFT)
    flags = list(Flag.objects.for_object(article).order_by("start"))
    assert [(f.field, f.excerpt, f.status) for f in flags] == [("body", "加 微 信", "open"), ("body", "代刷好评", "open")]
    assert article.body[flags[0].start:flags[0].end] == "加 微 信"
    assert flags[0].context_before.endswith("有意者请") and flags[0].context_after.startswith("详谈")
    article.refresh_from_db()
    assert article.body == SPAMMY
    # Screening again replaces the open flags (no duplicates).
    moderate_article(article)
    assert Flag.objects.for_object(article).count() == 2


def test_a_review_hit_keeps_an_article_from_publishing_until_an_editor_clears_it(studio_terms, make_article):
    article = make_article(body=SPAMMY, status=Article.Status.DRAFT)
    assert not article_publishable(article)
    assert "加 微 信" in publication_problem(article)
    with pytest.raises(PublishBlocked) as info:
        publish(article)
    assert "暂不能发布" in str(info.value) and isinstance(info.value, ValueError)
    with pytest.raises(PublishBlocked):
        set_status(Article.objects.filter(pk=article.pk), Article.Status.PUBLISHED)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    Flag.objects.for_object(article).update(status=Flag.Status.APPROVED)
    publish(article)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.body == SPAMMY


def test_decisions_survive_unrelated_edits_and_rejections_last_until_the_text_changes(studio_terms, make_article):
    article = make_article(body=SPAMMY, status=Article.Status.DRAFT)
    Flag.objects.for_object(article).filter(excerpt="加 微 信").update(status=Flag.Status.APPROVED)
    Flag.objects.for_object(article).filter(excerpt="代刷好评").update(status=Flag.Status.REJECTED)
    article.title = "改过标题的讲话"
    article.save()
    article_changed(article)
    assert Flag.objects.for_object(article).filter(status="open").count() == 0  # decisions kept
    assert not article_publishable(article)  # rejected: the words must go
    article.body = SPAMMY.replace("代刷好评", "提供咨询")
    article.save()
    article_changed(article)
    assert article_publishable(article)
    assert Flag.objects.for_object(article).get(status="rejected").is_current is False


def test_deleting_an_article_deletes_its_flags(studio_terms, make_article):
    from miaobi.library.services import delete_articles

    article = make_article(body=SPAMMY, status=Article.Status.DRAFT)
    assert Flag.objects.for_object(article).count() == 2
    pk = article.pk
    delete_articles([article])
    assert not Flag.objects.filter(object_id=pk, content_type__model="article").exists()


def test_flag_hits_never_hold_publication(studio_terms, make_article):
    article = make_article(body=CLEAN + "原来的老名称样例已撤销。", status=Article.Status.DRAFT)
    flag = Flag.objects.for_object(article).get()
    assert (flag.action, flag.replacement) == ("flag", "新名称样例")
    publish(article)


def test_moderate_object_works_for_any_model(studio_terms, staff_user):
    screening = moderate_object(staff_user, {"bio": "本人可代刷好评"})
    assert screening.needs_review and Flag.objects.for_object(staff_user).get().field == "bio"


def test_title_is_screened_too(studio_terms, make_article):
    article = make_article(title="代刷好评的讲话", body=CLEAN, status=Article.Status.DRAFT)
    assert Flag.objects.for_object(article).get().field == "title"


# --- the admin ---------------------------------------------------------------------------------

@pytest.fixture
def boss(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw-boss-123"))
    return client


def test_publish_action_reports_refused_articles_instead_of_crashing(studio_terms, make_article, boss):
    clean = make_article(body=CLEAN, status=Article.Status.DRAFT)
    spammy = make_article(body=SPAMMY, status=Article.Status.DRAFT)
    response = boss.post("/admin/library/article/", {"action": "publish_selected", "_selected_action": [clean.pk, spammy.pk]},
                         follow=True)
    html = response.content.decode()
    assert "已将 1 篇文章设为“已发布”" in html and "未发布" in html and "暂不能发布" in html
    clean.refresh_from_db()
    spammy.refresh_from_db()
    assert (clean.status, spammy.status) == ("published", "draft")


def test_saving_a_published_article_with_a_review_hit_holds_it(studio_terms, boss, catalogue):
    genre = Genre.objects.get(slug="jianghua")
    response = boss.post("/admin/library/article/add/", {
        "title": "带广告的讲话", "genre": genre.pk, "body": SPAMMY, "source": "", "status": "published",
        "published_at_0": "2026-01-05", "published_at_1": "09:30:00", "tags": [],
    }, follow=True)
    assert "已转为“待审”" in response.content.decode()
    article = Article.objects.get(title="带广告的讲话")
    assert article.status == Article.Status.REVIEW
    assert article.body.replace("\r\n", "\n") == SPAMMY  # the form's line endings, not moderation
    page = boss.get(f"/admin/library/article/{article.pk}/change/").content.decode()
    assert "审核提示" in page and "<mark" in page and "代刷好评" in page and "文本完整性检查" in page


def test_queue_shows_context_and_approves_rejects_and_whitelists(studio_terms, make_article, boss):
    article = make_article(body=SPAMMY, status=Article.Status.DRAFT)
    page = boss.get("/admin/moderation/flag/").content.decode()
    assert "有意者请<mark" in page and ">加 微 信</mark>详谈" in page
    flags = {f.excerpt: f for f in Flag.objects.for_object(article)}
    boss.post("/admin/moderation/flag/", {"action": "approve", "_selected_action": [flags["加 微 信"].pk]})
    boss.post("/admin/moderation/flag/", {"action": "reject", "_selected_action": [flags["代刷好评"].pk]})
    statuses = dict(Flag.objects.for_object(article).values_list("excerpt", "status"))
    assert statuses == {"加 微 信": "approved", "代刷好评": "rejected"}
    assert "加 微 信</mark>" not in boss.get("/admin/moderation/flag/").content.decode()  # the queue opens on open ones
    assert "加 微 信</mark>" in boss.get("/admin/moderation/flag/?status=all").content.decode()
    # Whitelisting: the word around the hit goes on the whitelist and the flag is approved.
    other = make_article(body=CLEAN + "他说违禁样例说明会明天开。", status=Article.Status.DRAFT)
    flag = Flag.objects.for_object(other).get()
    boss.post("/admin/moderation/flag/", {"action": "add_to_whitelist", "_selected_action": [flag.pk]})
    flag.refresh_from_db()
    assert flag.status == "approved" and WhitelistEntry.objects.filter(text__contains="违禁样例").exists()
    assert other.body.endswith("他说违禁样例说明会明天开。")


def test_punctuation_repair_shows_the_diff_and_applies_only_on_confirmation(make_article, boss):
    body = CLEAN.replace("，主要任务", ",主要任务")
    article = make_article(body=body, status=Article.Status.DRAFT)
    page = boss.get(f"/admin/library/article/{article.pk}/change/").content.decode()
    assert "半角标点改全角" in page
    url = f"/admin/moderation/flag/repair/{article.pk}/"
    preview = boss.get(url).content.decode()
    assert "确认修改并保存" in preview and ">,</mark>" in preview and ">，</mark>" in preview
    article.refresh_from_db()
    assert article.body == body  # looking changes nothing
    import hashlib
    assert boss.post(url, {"digest": "stale"}).status_code == 200
    article.refresh_from_db()
    assert article.body == body
    boss.post(url, {"digest": hashlib.sha256(body.encode()).hexdigest()})
    article.refresh_from_db()
    assert article.body == CLEAN


# --- commands and the demo library ----------------------------------------------------------------

def test_moderate_all_rechecks_the_library_with_progress_on_stderr(studio_terms, make_article):
    a = make_article(body=CLEAN, status=Article.Status.DRAFT)
    Term.objects.create(text="春耕备耕", category="custom", action="review")  # a new term after saving
    out, err = StringIO(), StringIO()
    call_command("moderate", "--all", stdout=out, stderr=err)
    assert "screened 1 article(s): 1 hit(s), 1 article(s) held for review" in out.getvalue()
    assert "[" in err.getvalue() and "1/1" in err.getvalue()
    assert not article_publishable(a)
    with pytest.raises(CommandError):
        call_command("moderate")
    with pytest.raises(CommandError, match="no such article"):
        call_command("moderate", "999999")


def test_demo_library_loads_all_66_texts_with_the_default_lexicon(db):
    from miaobi.library.demo.loader import load_demo

    assert load_demo()["created"] == 66
    assert Article.objects.filter(status=Article.Status.PUBLISHED).count() == 66
    assert not Flag.objects.blocking().exists()  # the default lexicon holds nothing of the demo library back
