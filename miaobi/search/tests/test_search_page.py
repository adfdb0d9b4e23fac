"""The interim search page: any input gives a result page; snippets only from the visible preview."""
import pytest

pytestmark = pytest.mark.django_db


def test_finds_articles_and_highlights_terms(client, make_article):
    make_article(title="关于农田水利建设的讲话")
    make_article(title="青年干部座谈会讲话", body="青年干部要加强学习。\n一、学习\n内容。\n二、实践\n内容。")
    html = client.get("/search/", {"q": "水利"}).content.decode()
    assert "找到 1 篇" in html and "<mark>水利</mark>" in html


def test_snippet_never_shows_hidden_text(client, make_article):
    make_article()
    html = client.get("/search/", {"q": "谢谢大家"}).content.decode()
    assert "找到 1 篇" in html
    assert "谢谢大家" not in html.split("</h1>", 1)[1].replace('value="谢谢大家"', "")


@pytest.mark.parametrize("query", ['"', "*", "a:b", "(", ")", "^", "NEAR", "AND OR", "' OR 1=1 --",
                                   "\x00\x01控制", "工" * 10_000, "<script>x</script>", "％２０"])
def test_any_input_gives_a_result_page(client, make_article, query):
    make_article()
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert "<script>x" not in response.content.decode()


def test_long_queries_are_cut_and_say_so(client, catalogue):
    html = client.get("/search/", {"q": "工" * 500}).content.decode()
    assert "已截取前 100 个字符" in html


def test_empty_query_and_no_results(client, catalogue):
    assert "请输入要查找的内容" in client.get("/search/").content.decode()
    assert "没有找到" in client.get("/search/", {"q": "不存在的词语组合"}).content.decode()
