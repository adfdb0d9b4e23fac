"""A reader on a phone (390×844) in Debian's chromium: home → genre → article → copy the contact → related."""
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from miaobi.library.demo.loader import load_demo
from miaobi.library.models import Article
from miaobi.siteconfig.selectors import current_site_settings

# Playwright's sync API runs an event loop in this thread; Django's ORM calls here are plain sync code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                 "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    yield page
    context.close()


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_reader_journey_on_a_phone(phone, live_server):
    load_demo()
    contact = current_site_settings().contact_wechat
    page = phone
    page.goto(live_server.url + "/")
    assert page.locator("header .brand").inner_text() == "妙笔智库"
    shot(page, "01-home")

    page.locator(".genre-nav a", has_text="讲话稿").click()
    page.wait_for_url("**/c/jianghua/")
    assert page.locator("h1").inner_text() == "讲话稿"
    shot(page, "02-genre")

    page.locator(".list .item-title").first.click()
    page.wait_for_url("**/a/*/")
    assert page.locator(".elision").first.inner_text() == "……略……"
    assert "预览结束，全文共" in page.locator(".cta h2").inner_text()
    shot(page, "03-article")

    button = page.get_by_role("button", name="复制微信号")
    button.click()
    page.wait_for_selector(".copy-status:not(:empty)")  # not wait_for_function: the CSP forbids its eval()
    assert contact in page.locator(".copy-status").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == contact
    shot(page, "04-copied")

    first_title = page.locator("h1.title").inner_text()
    related = page.locator("#related-h + ul .item-title").first
    related_title = related.inner_text()
    related.click()
    page.wait_for_url("**/a/*/")
    assert page.locator("h1.title").inner_text() == related_title != first_title
    shot(page, "05-related")


def test_pages_work_without_javascript(browser, live_server):
    load_demo()
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + Article.objects.published().first().get_absolute_url())
    assert page.locator(".wechat").inner_text() == current_site_settings().contact_wechat
    assert not page.get_by_role("button", name="复制微信号").is_visible()
    page.goto(live_server.url + "/search/?q=乡村振兴")
    assert "找到" in page.locator(".count-line").inner_text()
    context.close()


def test_desktop_layout_has_a_side_column(browser, live_server):
    load_demo()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + Article.objects.published().last().get_absolute_url())
    main_box = page.locator("main").bounding_box()
    side_box = page.locator("aside.side").bounding_box()
    assert main_box["width"] <= 721
    assert side_box["x"] > main_box["x"] + main_box["width"]
    shot(page, "06-desktop-article")
    context.close()
