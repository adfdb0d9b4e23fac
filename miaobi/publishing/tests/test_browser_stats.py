"""The studio opens the stats dashboard in a browser and sees the charts (e2e, Debian's chromium)."""
import os

import pytest

from miaobi.accounts.models import User
from miaobi.library.demo.loader import ensure_catalogue
from miaobi.library.models import Article, Genre
from miaobi.library.tests.test_browser_reader import browser, shot  # noqa: F401 - shared fixture

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dashboard_shows_charts_after_visits(browser, live_server):  # noqa: F811
    ensure_catalogue()
    article = Article.objects.create(title="在全县秋收工作会议上的讲话", body="同志们：\n今天开会部署秋收工作。\n一、抓好抢收\n各乡镇要组织力量。",
                                     genre=Genre.objects.get(slug="jianghua"), status="published")
    User.objects.create_user(username="statseditor", email="stats@example.cn", password="Tongji-2026!", is_staff=True)
    base = live_server.url
    reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    for _ in range(3):
        reader.goto(f"{base}/a/{article.pk}/")
    assert reader.locator(".qr-share img").is_visible()  # lazy image: loads when shown  # the QR code shows on a desktop layout

    studio = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    studio.goto(base + "/accounts/login/")
    studio.get_by_label("手机号或邮箱").fill("statseditor")
    studio.get_by_label("密码").fill("Tongji-2026!")
    studio.get_by_role("button", name="登录").click()
    studio.wait_for_url("**/me/")
    studio.goto(base + "/desk/stats/")
    assert studio.locator("svg.chart").count() >= 4
    assert studio.locator("svg.chart polyline").first.is_visible()
    shot(studio, "40-stats-dashboard")
    assert studio.locator("td", has_text="在全县秋收工作会议上的讲话").first.is_visible()
