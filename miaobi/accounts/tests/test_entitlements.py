"""One set of rules: free quota per month, unlocks forever, 次卡, stacking memberships, daily caps."""
import threading

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from miaobi.accounts.entitlements import (
    EntitlementError, downloads_left_today, free_quota_left, full_text_access, grant_plan, membership_ends_at,
    record_reading, unlock_article,
)
from miaobi.accounts.models import Plan, Unlock, User
from miaobi.library.gate import text_for_viewer

pytestmark = pytest.mark.django_db


def test_visitor_and_locked_reader_get_the_preview(make_article, reader):
    article = make_article()
    assert not text_for_viewer(article, None).full
    reading = text_for_viewer(article, reader)
    assert not reading.full and reading.reason == "locked"


def test_three_free_unlocks_a_month_and_rereading_is_free(make_article, reader):
    articles = [make_article(reindex=False) for _ in range(4)]
    for i, article in enumerate(articles[:3]):
        unlock_article(reader, article)
        assert free_quota_left(reader) == 2 - i
    with pytest.raises(EntitlementError) as refused:
        unlock_article(reader, articles[3])
    assert refused.value.code == "no_quota" and "免费额度已用完" in refused.value.message
    unlock_article(reader, articles[0])  # already unlocked: costs nothing
    assert Unlock.objects.filter(user=reader).count() == 3
    assert text_for_viewer(articles[0], reader).full


def test_quota_renews_next_month_and_unlocks_stay(make_article, reader):
    articles = [make_article(reindex=False) for _ in range(4)]
    last_month = timezone.now() - timezone.timedelta(days=40)
    for article in articles[:3]:
        unlock_article(reader, article, now=last_month)
    assert free_quota_left(reader) == 3
    unlock_article(reader, articles[3])
    assert all(text_for_viewer(a, reader).full for a in articles)


def test_pack_unlocks_are_spent_after_the_free_quota(make_article, reader):
    grant_plan(reader, Plan.objects.get(code="pack10"), source="test")
    reader.refresh_from_db()
    assert reader.paid_unlocks == 10
    articles = [make_article(reindex=False) for _ in range(5)]
    for article in articles:
        unlock_article(reader, article)
    reader.refresh_from_db()
    assert reader.paid_unlocks == 8
    assert Unlock.objects.filter(user=reader, kind="paid").count() == 2


def test_memberships_stack(reader):
    month, year = Plan.objects.get(code="month"), Plan.objects.get(code="year")
    now = timezone.now()
    grant_plan(reader, month, source="test", now=now)
    grant_plan(reader, year, source="test", now=now)
    assert membership_ends_at(reader, now) == now + timezone.timedelta(days=395)
    assert membership_ends_at(reader, now + timezone.timedelta(days=100)) == now + timezone.timedelta(days=395)
    assert membership_ends_at(reader, now + timezone.timedelta(days=396)) is None


def test_member_reads_everything_expired_member_does_not(make_article, member, expired_member):
    article = make_article(reindex=False)
    assert full_text_access(member, article).reason == "member"
    assert not text_for_viewer(article, expired_member).full


def test_staff_read_everything(make_article, staff_user):
    assert text_for_viewer(make_article(reindex=False), staff_user).reason == "staff"


def test_member_daily_read_cap(make_article, member, settings):
    settings.MIAOBI_DAILY_READ_CAP = 2
    articles = [make_article(reindex=False) for _ in range(3)]
    for article in articles[:2]:
        assert full_text_access(member, article).full
        record_reading(member, article, full_text=True)
    assert full_text_access(member, articles[2]).reason == "daily_cap"
    assert full_text_access(member, articles[0]).full  # already read today


def test_download_allowance(member, settings):
    settings.MIAOBI_DAILY_DOWNLOAD_CAP = 30
    assert downloads_left_today(member) == 30
    assert downloads_left_today(None) == 0


def _race(user_pk, article_pks, results):
    barrier = threading.Barrier(len(article_pks))

    def attempt(article_pk):
        from miaobi.library.models import Article

        close_old_connections()
        try:
            barrier.wait(timeout=10)
            unlock_article(User.objects.get(pk=user_pk), Article.objects.get(pk=article_pk))
            results.append("ok")
        except EntitlementError as exc:
            results.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - report any failure to the test
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(pk,)) for pk in article_pks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_concurrent_unlocks_with_one_unit_left_grant_one(make_article):
    """Real concurrent connections (threads), on SQLite and on PostgreSQL alike."""
    reader = User.objects.create_user(username="13700000000", mobile="13700000000", password="x")
    spent = [make_article(reindex=False) for _ in range(2)]
    for article in spent:
        unlock_article(reader, article)
    contenders = [make_article(reindex=False) for _ in range(4)]
    results: list[str] = []
    _race(reader.pk, [a.pk for a in contenders], results)
    assert sorted(results) == ["no_quota", "no_quota", "no_quota", "ok"], results
    assert Unlock.objects.filter(user=reader).count() == 3
