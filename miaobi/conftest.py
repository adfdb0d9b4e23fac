"""Shared fixtures: articles written in the tests' own words (never copied from anywhere)."""
import itertools

import pytest
from django.test import Client
from django.utils import timezone

from miaobi.library.demo.loader import ensure_catalogue
from miaobi.library.models import Article, Genre, Tag
from miaobi.library.services import article_changed

SPEECH = """同志们：
今天召开全县农田水利建设推进会，主要任务是总结去年冬春水利建设情况，部署今年重点工作。刚才，三个乡镇作了交流发言，讲得都很好，请大家认真学习借鉴。下面，我讲三点意见。
一、提高认识，切实增强做好水利建设的紧迫感
水利是农业的命脉。去年我县遭遇了持续干旱，部分乡镇灌溉用水十分紧张，暴露出小型水利设施年久失修、管护不到位的短板。各乡镇要从保障粮食安全的高度出发，把水利建设摆在突出位置。
（一）正视存在的差距。全县仍有三成塘坝未完成清淤，部分渠道渗漏严重，灌溉水有效利用系数低于全市平均水平。
（二）把握有利的时机。今年上级安排的水利专项资金比去年增加两成，这是补齐短板的难得机遇。
二、突出重点，扎实推进各项建设任务
今年全县计划新建和改造渠道一百二十公里，清淤塘坝四百座，建设高效节水灌溉面积两万亩。
1.抓好渠道改造。优先安排受旱严重的片区，确保五月底前完成主体工程。
2.抓好塘坝清淤。坚持“谁受益、谁管护”，调动村集体和种植大户的积极性。
（1）清淤土方就近用于改良农田。
（2）完成一座、验收一座、移交一座。
三、强化保障，确保工作任务落到实处
各乡镇主要负责同志是第一责任人，要亲自研究、亲自调度。县水利局要加强技术指导，县财政局要及时拨付资金，县农业农村局要做好配套服务。县委督查室将对进度实行月通报，对工作滞后的乡镇进行约谈。
同志们，时间紧、任务重，希望大家迅速行动起来，为全年农业丰收打下坚实基础。谢谢大家。"""

_counter = itertools.count(1)


@pytest.fixture
def catalogue(db):
    ensure_catalogue()


@pytest.fixture
def make_article(db, catalogue):
    def make(title=None, body=SPEECH, genre="jianghua", tags=(), status=Article.Status.PUBLISHED,
             published_at=None, reindex=True, **fields):
        n = next(_counter)
        article = Article.objects.create(
            title=title or f"在全县农田水利建设推进会上的讲话（{n}）", body=body,
            genre=Genre.objects.get(slug=genre), status=status,
            published_at=published_at or timezone.now() - timezone.timedelta(hours=n), **fields,
        )
        if tags:
            article.tags.set(Tag.objects.filter(name__in=tags))
        if reindex:
            article_changed(article)
        return article

    return make


@pytest.fixture
def staff_user(db, django_user_model):
    return django_user_model.objects.create_user("editor", password="pw-editor-123", is_staff=True)


@pytest.fixture
def staff_client(staff_user):
    """A second browser, logged in as an editor (the `client` fixture stays a visitor)."""
    staff = Client()
    staff.force_login(staff_user)
    return staff


@pytest.fixture(autouse=True)
def foreground_stats_flush(settings):
    """Counts are flushed inside the request in tests: a flush thread's own connection would write
    outside the test's transaction."""
    settings.MIAOBI_STATS_FLUSH_IN_BACKGROUND = False


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache, like a freshly started server."""
    from django.core.cache import cache, caches

    from miaobi.library.fragments import forget_local_memo
    from miaobi.publishing import counting, pagecache
    from miaobi.siteconfig.selectors import forget_site_settings

    def forget():
        cache.clear()
        caches["shared"].clear()
        caches["fragments"].clear()
        forget_local_memo()
        forget_site_settings()
        counting.discard_buffer()  # buffered page views of an earlier test must not land in another
        pagecache.forget_local_pages()

    forget()
    yield
    forget()


@pytest.fixture
def reader_client_factory(db):
    """Logged-in registered readers without membership, one new account per call."""
    from miaobi.accounts.models import User

    counter = itertools.count(1)

    def make():
        n = next(counter)
        user = User.objects.create_user(username=f"1350000{n:04d}", mobile=f"1350000{n:04d}", password="Qingshan-2026")
        c = Client()
        c.force_login(user)
        c.user = user
        return c

    return make
