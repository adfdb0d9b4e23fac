"""A visitor becomes a reader and then a member, on a phone, in Debian's chromium."""
import io
import os

import docx
import pytest

from miaobi.accounts.codes import generate_codes
from miaobi.accounts.models import Plan
from miaobi.library.demo.loader import load_demo
from miaobi.library.models import Article
from miaobi.library.tests.test_browser_reader import browser, shot  # noqa: F401 - shared fixture

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_visitor_registers_unlocks_downloads_and_redeems(browser, live_server):  # noqa: F811
    load_demo()
    # An earlier transactional test may have emptied the tables the migrations filled: make the plan.
    plan, _ = Plan.objects.get_or_create(code="quarter", defaults={"name": "季卡", "kind": "time", "days": 90})
    code = generate_codes(plan=plan, count=1).codes[0]
    article = Article.objects.published().order_by("pk")[3]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    assert page.locator(".elision").count() >= 1
    page.get_by_role("link", name="免费获取全文").click()

    page.wait_for_url("**/accounts/register/**")
    page.get_by_label("手机号或邮箱").fill("13612345678")
    page.get_by_label("密码", exact=True).fill("Songbai-2026!")
    page.get_by_label("再次输入密码").fill("Songbai-2026!")
    shot(page, "10-register")
    page.get_by_role("button", name="注册").click()

    page.wait_for_url("**" + article.get_absolute_url())
    assert "本月剩余免费额度 3 篇" in page.locator(".cta").inner_text()
    page.get_by_role("button", name="免费获取全文").click()
    page.wait_for_url("**" + article.get_absolute_url())
    assert "本月还可免费获取 2 篇" in page.locator(".messages").inner_text()
    assert page.locator(".elision").count() == 0
    shot(page, "11-unlocked")

    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word").click()
    download = info.value
    assert download.suggested_filename == f"{article.title}.docx"
    document = docx.Document(io.BytesIO(open(download.path(), "rb").read()))
    assert document.paragraphs[0].text == article.title

    page.goto(live_server.url + "/redeem/")
    page.get_by_label("卡密").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="兑换").click()
    page.wait_for_url("**/me/")
    assert "兑换成功" in page.locator(".messages").inner_text()
    assert page.locator(".badge").inner_text() == "会员"
    assert "会员到期时间" in page.locator(".account").inner_text()
    assert "剩余 2 / 3 篇" in page.locator(".account").inner_text()
    shot(page, "12-me")
    context.close()
