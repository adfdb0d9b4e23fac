"""The stats dashboard: staff only, counts from a scripted sequence of visits, privacy, CSV export."""
import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from miaobi.accounts.entitlements import unlock_article
from miaobi.orders.services import create_order
from miaobi.publishing import counting, stats
from miaobi.publishing.charts import bar_chart, line_chart
from miaobi.publishing.models import DailyCount, DailySalt, DailyVisitor
from miaobi.search.models import SearchLog


@pytest.fixture(autouse=True)
def fresh_buffer():
    counting.discard_buffer()
    yield
    counting.discard_buffer()


def visitor(ip, agent="Mozilla/5.0 测试浏览器", referer=None):
    extra = {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": agent}
    if referer:
        extra["HTTP_REFERER"] = referer
    return Client(**extra)


@pytest.mark.django_db
def test_stats_page_is_for_staff_only(client, reader_client_factory, staff_client, django_user_model):
    assert client.get("/desk/stats/").status_code == 302
    assert reader_client_factory().get("/desk/stats/").status_code == 302
    assert staff_client.get("/desk/stats/").status_code == 200
    writer = django_user_model.objects.create_user("writer1", password="x", is_staff=True)
    writer.groups.add(Group.objects.get_or_create(name="写手")[0])
    as_writer = Client()
    as_writer.force_login(writer)
    assert as_writer.get("/desk/stats/").status_code == 403


@pytest.mark.django_db
def test_scripted_visits_are_counted(make_article, staff_client, reader_client_factory):
    first, second = make_article(title="第一篇统计文章"), make_article(title="第二篇统计文章")
    alice, bob = visitor("10.1.1.1"), visitor("10.2.2.2", referer="https://www.baidu.com/s?wd=x")
    for _ in range(3):
        alice.get(f"/a/{first.pk}/")
    bob.get(f"/a/{first.pk}/")
    bob.get(f"/a/{second.pk}/")
    staff_client.get(f"/a/{first.pk}/")  # staff reading is not counted
    reader = reader_client_factory()
    reader.get(f"/a/{second.pk}/")
    unlock_article(reader.user, second)
    SearchLog.objects.create(query="水利", result_count=4, latency_ms=3)
    SearchLog.objects.create(query="水利", result_count=4, latency_ms=3)
    SearchLog.objects.create(query="不存在的词", result_count=0, latency_ms=3)
    create_order(customer=reader.user, topic="统计订单", length_chars=2000, contact_mobile="13900005555",
                 deadline=timezone.now() + timezone.timedelta(days=2))
    counting.flush_counts()

    today = timezone.localdate()
    board = stats.dashboard(today, today)
    assert board.views == [6]
    assert board.visitors == [3]  # alice, bob and the reader; staff are not counted
    assert board.unlocks == [1] and board.orders == [1] and board.registrations[-1] >= 1
    assert board.top_articles[0] == ("第一篇统计文章", 4)
    assert ("讲话稿", 6) in board.top_genres
    assert board.referrers == [("www.baidu.com", 2)]  # both of bob's views came from the search engine
    assert board.top_searches[0] == ("水利", 2) and board.zero_searches == [("不存在的词", 1)]
    assert board.funnel == [("预览（浏览量）", 6), ("解锁全文", 1), ("下载", 0), ("定制订单", 1)]

    html = staff_client.get("/desk/stats/").content.decode()
    assert html.count("<svg") >= 4 and "第一篇统计文章" in html and "www.baidu.com" in html
    assert "<script" not in html.split("</head>")[1].replace('<script src="/static/miaobi/site.js"', "")


@pytest.mark.django_db
def test_no_raw_ip_is_stored_and_old_salts_are_deleted(make_article):
    article = make_article()
    visitor("203.0.113.77").get(f"/a/{article.pk}/")
    counting.flush_counts()
    digests = list(DailyVisitor.objects.values_list("digest", flat=True))
    assert len(digests) == 1 and "203.0.113.77" not in digests[0] and len(digests[0]) == 64
    assert not DailyCount.objects.filter(key__contains="203.0.113").exists()
    today = timezone.localdate()
    DailySalt.objects.create(day=today - timezone.timedelta(days=3), salt="old")
    from django.core.cache import cache
    cache.clear()
    counting.day_salt(today)
    assert list(DailySalt.objects.values_list("day", flat=True)) == [today]


def test_the_salt_rotates_daily(db):
    today = timezone.localdate()
    assert counting.day_salt(today) != counting.day_salt(today + timezone.timedelta(days=1))


@pytest.mark.django_db
def test_counts_are_buffered_until_flushed(make_article, settings):
    settings.MIAOBI_STATS_FLUSH_SECONDS = 3600
    counting.flush_counts()  # resets the flush clock
    article = make_article()
    visitor("10.9.9.9").get(f"/a/{article.pk}/")
    assert not DailyCount.objects.exists()
    counting.flush_counts()
    assert DailyCount.objects.get(kind="view").count == 1


@pytest.mark.django_db
def test_csv_export_of_every_table(staff_client, make_article):
    make_article()
    for name in ("daily", "funnel", "articles", "genres", "tags", "referrers", "searches", "zero", "orders", "revenue"):
        response = staff_client.get(f"/desk/stats/?export={name}")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows and rows[0]
    assert staff_client.get("/desk/stats/?export=nope").status_code == 404


@pytest.mark.django_db
def test_csv_cells_cannot_be_formulas(staff_client, catalogue):
    SearchLog.objects.create(query="=HYPERLINK(1)", result_count=0, latency_ms=1)
    text = staff_client.get("/desk/stats/?export=zero").content.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["from=2026-13-01", "from=2026-11-20&to=2026-11-01", "from=2020-01-01&to=2026-01-01"])
def test_bad_ranges_show_a_clear_error(staff_client, query):
    html = staff_client.get(f"/desk/stats/?{query}").content.decode()
    assert 'class="form-error"' in html


def test_parse_range_defaults_to_30_days():
    start, end = stats.parse_range("", "", today=timezone.datetime(2026, 11, 25).date())
    assert (end - start).days == 29


def test_charts_escape_labels():
    svg = str(bar_chart([("<script>x</script>", 3)], title="t"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    line = str(line_chart(["11-01", "11-02"], {"浏览量": [1, 2]}, title="<b>"))
    assert line.startswith("<svg") and "<b>" not in line


def test_a_failed_flush_keeps_the_counts_for_the_next(make_article, settings, monkeypatch, client):
    settings.MIAOBI_STATS_FLUSH_SECONDS = 3600
    article = make_article()
    client.get(article.get_absolute_url())
    client.get("/search/", {"q": "水利"})
    real = counting._add_counts

    def database_away(*args, **kwargs):
        raise counting.IntegrityError("database is away")  # any database error

    monkeypatch.setattr(counting, "_add_counts", database_away)
    counting.flush_safely()  # logged, nothing raised to the reader's request
    monkeypatch.setattr(counting, "_add_counts", real)
    assert counting.flush_counts() > 0
    article.refresh_from_db()
    assert article.view_count == 1
    assert SearchLog.objects.filter(query="水利").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_due_flush_runs_beside_the_request(make_article, settings):
    settings.MIAOBI_STATS_FLUSH_IN_BACKGROUND = True
    settings.MIAOBI_STATS_FLUSH_SECONDS = 3600
    article = make_article()
    Client().get(article.get_absolute_url())
    counting._last_flush = 0  # due
    Client().get(article.get_absolute_url())  # starts the flush thread and answers at once
    for _ in range(100):
        if not counting._flushing.locked() and DailyCount.objects.filter(kind="view").exists():
            break
        import time

        time.sleep(0.05)
    article.refresh_from_db()
    assert article.view_count == 2 and DailyCount.objects.get(kind="view").count == 2
