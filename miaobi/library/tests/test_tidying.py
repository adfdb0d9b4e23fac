"""规范空白与标点: the rules, idempotence, and that no letter or CJK character is ever touched; the admin
action (preview, then confirm) and `miaobi import --normalize`."""
import io
import json
import re
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from miaobi.library.models import Article
from miaobi.library.tidying import body_digest, tidy_changes, tidy_text

CN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方"
MARKS = " \t\u3000\n\r,.:;?!()（）。，、；：！？“”…—"
ODD = "a1Z9é．\u00a0\x0b"


def kept(text: str) -> list[str]:
    """Everything but white space and punctuation, in order: what tidying must never change."""
    return [ch for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P")]


texts = st.one_of(st.text(alphabet=CN + MARKS + ODD, max_size=400), st.text(max_size=200))


@settings(max_examples=400, deadline=None)
@given(texts)
def test_idempotent_and_only_whitespace_and_punctuation_change(text):
    tidied = tidy_text(text)
    assert tidy_text(tidied) == tidied
    assert kept(tidied) == kept(text)


@settings(max_examples=100, deadline=None)
@given(texts)
def test_the_preview_is_empty_exactly_when_nothing_changes(text):
    assert (tidy_changes(text) == []) == (tidy_text(text) == text)


def test_the_rules_on_a_typical_pasted_text():
    text = ("  一、总则  \r\n\r\n\r\n这是 一个 测试,真的?好的!注意: 第一;第二.结束.\n"
            "(附件)说明 3.5 亿元, see Mr. Li (English)\n\t第二段。\n\n\n")
    assert tidy_text(text) == ("\u3000\u3000一、总则\n\n这是一个测试，真的？好的！注意：第一；第二。结束。\n"
                               "（附件）说明 3.5 亿元, see Mr. Li (English)\n\u3000\u3000第二段。")


def test_numbers_headings_and_latin_text_keep_their_half_width_marks():
    text = "1.抓好渠道改造\n(1)清淤\n增长3.5%，比例为1:2。\nHello, world. OK?"
    assert tidy_text(text) == text


def test_a_tidy_text_has_no_changes():
    text = "同志们：\n\u3000\u3000今天召开推进会。\n\n\u3000\u3000下面，我讲三点意见。"
    assert tidy_text(text) == text
    assert tidy_changes(text) == []


# --- the admin action: preview first, save only on confirmation -----------------------------------

MESSY = "同志们:\n  今天召开推进会,主要任务是部署工作.  \n\n\n\n(一)正视差距.\n"
TIDY = "同志们：\n\u3000\u3000今天召开推进会，主要任务是部署工作。\n\n（一）正视差距。"


@pytest.fixture
def admin_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("editor", password="pw-editor-123"))
    return client


def test_admin_action_shows_the_changes_and_saves_nothing_until_confirmed(admin_client, make_article):
    article = make_article(title="待规范的讲话", body=MESSY)
    tidy_already = make_article(title="已经规范", body=TIDY)
    url = "/admin/library/article/"
    page = admin_client.post(url, {"action": "tidy_selected", "_selected_action": [article.pk, tidy_already.pk]})
    html = page.content.decode()
    assert page.status_code == 200 and "规范空白与标点：确认改动" in html and "待规范的讲话" in html
    assert "<del>:</del>" in html and "<ins>：</ins>" in html and "1 篇文章的空白与标点已经规范" in html
    article.refresh_from_db()
    assert article.body == MESSY  # a preview changes nothing

    digest = re.search(rf'name="digest_{article.pk}" value="(\w+)"', html).group(1)
    response = admin_client.post(url, {"action": "tidy_selected", "_selected_action": [article.pk], "confirm": "yes",
                                       f"digest_{article.pk}": digest})
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == TIDY


def test_a_body_edited_after_the_preview_is_left_alone(admin_client, make_article):
    article = make_article(body=MESSY)
    stale = body_digest(MESSY)
    Article.objects.filter(pk=article.pk).update(body=MESSY + "补充一句,新的.")
    admin_client.post("/admin/library/article/", {"action": "tidy_selected", "_selected_action": [article.pk],
                                                  "confirm": "yes", f"digest_{article.pk}": stale})
    article.refresh_from_db()
    assert article.body == MESSY + "补充一句,新的."


# --- miaobi import --normalize ---------------------------------------------------------------------

def test_import_normalizes_only_when_asked_and_lists_the_changes(tmp_path, catalogue):
    (tmp_path / "messy.txt").write_text("关于推进会的讲话\n" + MESSY, encoding="utf-8")
    out = io.StringIO()
    call_command("import", str(tmp_path), "--dry-run", "--normalize", stdout=out)
    assert "规范空白与标点" in out.getvalue() and "+ '同志们：" in out.getvalue()  # the preview
    assert not Article.objects.exists()

    call_command("import", str(tmp_path), stdout=io.StringIO())
    assert Article.objects.get().body.startswith("同志们:\n  今天召开推进会,")  # never silently
    Article.objects.all().delete()
    call_command("import", str(tmp_path), "--normalize", stdout=io.StringIO())
    assert Article.objects.get().body == TIDY
    out = io.StringIO()
    call_command("import", str(tmp_path), "--json", stdout=out)  # the original text is still a duplicate
    assert len(json.loads(out.getvalue())["duplicates"]) == 1
