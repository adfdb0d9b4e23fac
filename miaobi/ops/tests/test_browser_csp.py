"""Under the Content-Security-Policy, the site's and the admin's pages work in Debian's chromium without
a single violation: no inline script, handler or style was left behind."""
import os

import pytest

from miaobi.accounts.models import User
from miaobi.library.demo.loader import load_demo
from miaobi.library.models import Article
from miaobi.library.tests.test_browser_reader import browser  # noqa: F401 - shared fixture

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_no_csp_violation_on_the_main_pages(browser, live_server):  # noqa: F811
    load_demo()
    User.objects.create_superuser(username="zhanzhang", email="zz@example.cn", password="Zhanzhang-2026!")
    article = Article.objects.published().order_by("pk").first()
    problems = []
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    def on_console(message):
        # Chromium reports each blocked script, style, handler, eval() or connection as a console error
        # naming the Content Security Policy (other errors, e.g. a 404 image, are other tests' business).
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
    base = live_server.url

    response = page.goto(base + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.goto(base + article.get_absolute_url())
    assert page.locator("h1.title").inner_text() == article.title

    # Typeahead: search.js fetches suggestions into the datalist.
    page.goto(base + "/search/?q=讲话")
    page.locator("#q").fill("")
    page.locator("#q").press_sequentially("乡村", delay=50)
    page.wait_for_selector("#search-suggestions option", state="attached")  # (wait_for_function would eval())

    page.goto(base + "/order/new/")
    assert page.locator("form").count() >= 1

    page.goto(base + "/admin/login/?next=/admin/")
    page.locator("#id_username").fill("zhanzhang")
    page.locator("#id_password").fill("Zhanzhang-2026!")
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")
    page.goto(base + "/me/")
    assert page.locator("h1").count() >= 1
    # The article form: filter_horizontal, date widgets, the preview and moderation fragments.
    page.goto(base + f"/admin/library/article/{article.pk}/change/")
    page.wait_for_selector("#id_tags_from")  # SelectFilter2 has run
    assert page.locator(".mb-preview").count() == 1
    page.goto(base + "/admin/moderation/flag/")
    page.goto(base + "/admin/orders/order/add/")
    assert problems == []

    # Chromium does report violations here: an inline handler set from a test script is refused.
    page.goto(base + "/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"window.ran = 1\">')")
    page.wait_for_timeout(300)
    assert len(problems) == 1 and "Content Security Policy" in problems[0]
