"""A reader opens an article: preview, call to action, related reading, latest — and never the hidden text."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from miaobi.conftest import SPEECH
from miaobi.library.models import Article
from miaobi.library.preview import build_preview
from miaobi.publishing import counting

pytestmark = pytest.mark.django_db


def hidden_windows(body, visible, size=12):
    """12-character windows of the body that the preview does not contain."""
    return [body[i:i + size] for i in range(0, len(body) - size) if body[i:i + size] not in visible]


def test_visitor_sees_title_time_source_preview_and_call_to_action(client, make_article):
    article = make_article(source="县委办公室")
    html = client.get(f"/a/{article.pk}/").content.decode()
    assert article.title in html
    assert timezone.localtime(article.published_at).strftime("%Y-%m-%d %H:%M:%S") in html
    assert "来源：县委办公室" in html
    assert "……略……" in html
    assert f"预览结束，全文共 {article.word_count} 字" in html
    assert "复制微信号，添加老师" in html
    assert "相关阅读" in html and "最近更新" in html
    assert "一、提高认识" in html and "三、强化保障" in html


def test_visitor_never_receives_text_beyond_the_preview(client, make_article):
    article = make_article()
    html = client.get(f"/a/{article.pk}/").content.decode()
    preview = build_preview(article.body)
    visible = "".join(preview.texts)
    leaked = [w for w in hidden_windows(article.body.replace("\n", ""), visible.replace("\n", "")) if w in html]
    assert not leaked
    assert "谢谢大家" not in html


def test_staff_read_the_full_text_and_can_preview_as_a_visitor(staff_client, make_article):
    article = make_article()
    html = staff_client.get(f"/a/{article.pk}/").content.decode()
    assert "谢谢大家" in html and "预览结束" not in html
    assert "以读者身份预览" in html
    html = staff_client.get(f"/a/{article.pk}/?as=visitor").content.decode()
    assert "谢谢大家" not in html and "预览结束" in html


def test_full_text_renders_heading_levels(staff_client, make_article):
    article = make_article()
    html = staff_client.get(f"/a/{article.pk}/").content.decode()
    assert '<h2 class="h-l1" id="s1">一、提高认识' in html
    assert "<strong>（一）正视存在的差距。</strong>" in html
    assert '<p class="salutation">同志们：</p>' in html


def test_long_full_text_has_a_table_of_contents(staff_client, make_article):
    body = "\n".join(f"{n}、第{i}部分\n" + "正文内容用于测试目录。" * 120 for i, n in enumerate("一二三四", 1))
    article = make_article(body=body)
    html = staff_client.get(f"/a/{article.pk}/").content.decode()
    assert 'aria-label="目录"' in html and 'href="#s3"' in html


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.REVIEW, Article.Status.ARCHIVED])
def test_unpublished_articles_are_invisible_to_the_public(client, staff_client, make_article, status):
    article = make_article(status=status)
    assert client.get(f"/a/{article.pk}/").status_code == 404
    assert article.title not in client.get("/").content.decode()
    assert article.title not in client.get("/latest/").content.decode()
    assert staff_client.get(f"/a/{article.pk}/").status_code == 200


def test_scheduled_article_appears_when_its_time_comes(client, make_article, monkeypatch):
    article = make_article(published_at=timezone.now() + timezone.timedelta(days=1))
    assert client.get(f"/a/{article.pk}/").status_code == 404
    later = timezone.now() + timezone.timedelta(days=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # no row changes: only the clock moves
    assert client.get(f"/a/{article.pk}/").status_code == 200


@pytest.mark.parametrize("path", ["/a/0/", "/a/999999/", "/a/abc/", "/a/-1/", "/a/1.5/",
                                  "/a/99999999999999999999999999/", "/a/%E4%B8%AD/", "/c/nope/", "/t/nope/",
                                  "/t/%E5%B7%A5%E4%BC%9A/", "/no-such-page/"])
def test_unknown_addresses_get_a_chinese_404(client, catalogue, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_hostile_and_unusual_text_renders_safely(client, make_article):
    body = "一、<script>alert(1)</script>标题\n正文😀含有表情和生僻字𠀀𪚥𰻞，以及 & < > 符号。\n" + "长" * 100_000
    article = make_article(title="<script>alert('t')</script>测试😀𠀀", body=body)
    response = client.get(f"/a/{article.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html and "&lt;/script&gt;测试😀𠀀" in html
    assert "𠀀𪚥𰻞" in html
    assert html.count("长") <= 1600


def test_view_count_goes_up_for_readers(client, make_article):
    article = make_article()
    client.get(f"/a/{article.pk}/")
    client.get(f"/a/{article.pk}/")
    counting.flush_counts()  # views are buffered
    article.refresh_from_db()
    assert article.view_count == 2


def test_article_page_runs_at_most_8_queries(client, make_article):
    articles = [make_article(tags=["工会", "主题教育"]) for _ in range(12)]
    client.get("/")  # warm the site settings cache like a running server
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/a/{articles[0].pk}/")
    assert response.status_code == 200
    assert len(queries) <= 8, [q["sql"] for q in queries]


def test_related_and_latest_lists_on_the_page(client, make_article):
    articles = [make_article() for _ in range(7)]
    html = client.get(f"/a/{articles[0].pk}/").content.decode()
    related_part = html[html.index("相关阅读"):html.index("最近更新</h2>")]
    assert sum(f'href="/a/{a.pk}/"' in related_part for a in articles[1:]) >= 5


def test_meta_description_comes_from_the_preview(client, make_article):
    article = make_article()
    html = client.get(f"/a/{article.pk}/").content.decode()
    start = html.index('<meta name="description" content="') + len('<meta name="description" content="')
    description = html[start:html.index('"', start)]
    assert len(description) >= 40
    assert all(fragment in SPEECH for fragment in description.split(" ") if fragment)


def test_cached_parts_never_carry_a_staff_view_to_visitors(client, staff_client, make_article):
    article = make_article()
    assert "谢谢大家" in staff_client.get(f"/a/{article.pk}/").content.decode()
    assert "谢谢大家" not in client.get(f"/a/{article.pk}/").content.decode()
    assert "谢谢大家" in staff_client.get(f"/a/{article.pk}/").content.decode()


def test_lists_and_preview_follow_changes_at_once(client, make_article):
    from miaobi.library.services import article_changed

    first = make_article()
    client.get(f"/a/{first.pk}/")  # fragments cached
    newer = make_article(title="刚刚发布的新讲话", published_at=timezone.now())
    assert "刚刚发布的新讲话" in client.get(f"/a/{first.pk}/").content.decode()
    first.body = first.body.replace("同志们：", "各位同事：")
    first.save()
    article_changed(first)
    assert "各位同事：" in client.get(f"/a/{first.pk}/").content.decode()
    assert newer.pk
