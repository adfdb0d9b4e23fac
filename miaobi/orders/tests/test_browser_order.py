"""A customer and the studio run a full order in two browsers: brief → quote → deposit → delivery →
one revision → acceptance."""
import os

import pytest
from django.utils import timezone

from miaobi.accounts.models import User
from miaobi.library.demo.loader import ensure_catalogue
from miaobi.library.tests.test_browser_reader import browser, shot  # noqa: F401 - shared fixture
from miaobi.orders.models import Order, State

from .conftest import docx_bytes

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(page, base, identifier, password):
    page.goto(base + "/accounts/login/")
    page.get_by_label("手机号或邮箱").fill(identifier)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/me/")


def test_full_order_in_two_browsers(browser, live_server, tmp_path):  # noqa: F811
    ensure_catalogue()
    User.objects.create_user(username="editor", email="editor@example.cn", password="Desk-2026!", is_staff=True)
    User.objects.create_user(username="13655556666", mobile="13655556666", password="Kehu-2026!")
    draft = tmp_path / "初稿.docx"
    draft.write_bytes(docx_bytes("初稿"))
    second = tmp_path / "修改稿.docx"
    second.write_bytes(docx_bytes("修改稿"))

    customer = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    studio = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    base = live_server.url
    login(customer, base, "13655556666", "Kehu-2026!")
    login(studio, base, "editor", "Desk-2026!")

    customer.goto(base + "/order/new/")
    customer.get_by_label("文种").select_option(label="讲话稿")
    customer.get_by_label("标题或主题").fill("在全镇秋季防火工作会议上的讲话")
    customer.get_by_label("场合").fill("全镇秋季防火工作会议")
    customer.get_by_label("讲话人身份").fill("镇党委书记")
    customer.get_by_label("字数要求").fill("2500")
    deadline = (timezone.localtime() + timezone.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    customer.get_by_label("截止时间").fill(deadline)
    customer.get_by_label("要点与要求").fill("讲清楚林区巡查、野外用火管理和应急值守。")
    customer.get_by_label("手机号").fill("13655556666")
    customer.get_by_label("我已阅读并同意隐私说明").check()
    shot(customer, "20-order-brief")
    customer.get_by_role("button", name="提交需求").click()
    customer.wait_for_selector("text=需求已提交")
    number = Order.objects.get().number

    studio.goto(base + "/desk/")
    studio.get_by_role("link", name=number).click()
    studio.get_by_label("报价（元）").fill("600")
    studio.get_by_label("定金（元）").fill("200")
    studio.get_by_label("承诺交付时间").fill(deadline)
    studio.get_by_role("button", name="发送报价").click()
    studio.wait_for_selector("text=操作成功")

    customer.goto(f"{base}/orders/{number}/")
    assert "600" in customer.locator(".brief").inner_text()
    customer.get_by_role("button", name="接受报价").click()
    customer.wait_for_selector("text=已接受报价")

    studio.reload()
    studio.get_by_role("button", name="确认已收定金").click()
    studio.get_by_role("button", name="开始撰写").click()
    studio.get_by_label("交付稿（.docx）").set_input_files(str(draft))
    studio.get_by_role("button", name="上传交付稿").click()
    studio.wait_for_selector("text=第 1 稿")
    studio.get_by_role("button", name="交付给客户").click()
    studio.wait_for_selector("text=状态：已交付")

    customer.reload()
    customer.get_by_label("需要修改的地方").fill("第二部分请补充应急值守的具体安排。")
    customer.get_by_role("button", name="申请修改").click()
    customer.wait_for_selector("text=修改中")
    shot(customer, "21-order-revision")

    studio.reload()
    studio.get_by_label("交付稿（.docx）").set_input_files(str(second))
    studio.get_by_role("button", name="上传交付稿").click()
    studio.wait_for_selector("text=第 2 稿")
    studio.get_by_role("button", name="交付给客户").click()
    studio.wait_for_selector("text=状态：已交付")
    shot(studio, "22-desk-order")

    customer.reload()
    with customer.expect_download() as info:
        customer.get_by_role("link", name="第 2 稿：修改稿.docx").click()
    assert info.value.suggested_filename == "修改稿.docx"
    customer.get_by_role("button", name="确认验收").click()
    customer.wait_for_selector("text=当前状态：已完成")
    order = Order.objects.get()
    assert order.state == State.COMPLETED and order.revisions_used == 1
