"""The maintenance desk queues index rebuilds; the commands and the jobs call the same functions."""
import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from miaobi.importer.models import TextSignature
from miaobi.jobs.testing import queued_jobs
from miaobi.library.models import RelatedArticle
from miaobi.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_staff_rebuild_each_index_from_the_desk(staff_client, make_article):
    articles = [make_article() for _ in range(3)]
    SearchDocument.objects.all().delete()
    RelatedArticle.objects.all().delete()
    TextSignature.objects.all().delete()
    page = staff_client.get("/desk/jobs/").content.decode()
    assert "即时模式" in page and "重建搜索索引" in page and "miaobi reindex_texts" in page
    for job, label in (("search", "重建搜索索引"), ("related", "重建相关阅读"), ("texts", "重建查重索引")):
        response = staff_client.post("/desk/jobs/", {"job": job}, follow=True)
        assert f"{label}：已完成。" in response.content.decode()  # inline: done within the request
    assert SearchDocument.objects.count() == 3 and TextSignature.objects.count() == 3
    assert RelatedArticle.objects.filter(article=articles[0]).exists()
    assert "没有这个任务" in staff_client.post("/desk/jobs/", {"job": "rm -rf"}, follow=True).content.decode()


def test_with_a_worker_the_desk_only_queues(staff_client, make_article, settings):
    make_article()
    settings.MIAOBI_JOBS = "queue"
    with queued_jobs() as jobs:
        assert "等待执行 0 个" in staff_client.get("/desk/jobs/").content.decode()
        response = staff_client.post("/desk/jobs/", {"job": "search"}, follow=True)
        assert "已加入后台队列" in response.content.decode() and jobs.names() == ["reindex_search"]
        SearchDocument.objects.all().delete()
        jobs.run()
    assert SearchDocument.objects.count() == 1


def test_writers_and_visitors_cannot_rebuild(client, staff_client, staff_user):
    Group.objects.get_or_create(name="写手")[0].user_set.add(staff_user)
    assert staff_client.get("/desk/jobs/").status_code == 403
    assert client.post("/desk/jobs/", {"job": "search"}).status_code == 302


def test_rebuild_jobs_twice_change_nothing(make_article):
    from miaobi.importer.tasks import rebuild_text_indexes
    from miaobi.library.tasks import rebuild_related
    from miaobi.search.tasks import reindex_search

    for _ in range(3):
        make_article()

    def state():
        return (sorted(TextSignature.objects.values_list("article_id", "text_hash")),
                sorted(RelatedArticle.objects.values_list("article_id", "related_id", "rank")),
                sorted(SearchDocument.objects.values_list("article_id", flat=True)))

    for job in (rebuild_text_indexes, rebuild_related, reindex_search):
        job()
    first = state()
    for job in (rebuild_text_indexes, rebuild_related, reindex_search):
        job()
    assert state() == first
    call_command("reindex_texts")
    call_command("rebuild_related")
    assert state() == first
