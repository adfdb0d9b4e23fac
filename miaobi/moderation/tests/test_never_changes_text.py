"""Moderation never changes text: random Chinese text with planted terms, through every entry point,
comes back (stored, returned, written) equal to the input byte for byte."""
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miaobi.library.models import Article, Genre
from miaobi.library.services import article_changed
from miaobi.moderation.lexicon_io import import_lexicon
from miaobi.moderation.lint import lint_text
from miaobi.moderation.models import Flag, Term, WhitelistEntry
from miaobi.moderation.normalize import normalise_term
from miaobi.moderation.services import moderate_article, screen_text

pytestmark = pytest.mark.django_db

PLANTED = ["加微信", "代刷好评", "违禁样例", "学习"]
SEPARATORS = ["", " ", "*", "-", "\u200b", "\u3000", "·"]

han = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
other = st.sampled_from(list("，。、；：！？“”（）《》……——_*□× \t\n\r,.:;!?0123456789ABCabcＡＢ①⑩㈱ﬁ\u0301\u200b\u3000\U00020000"
                             "學習貫徹加V微信"))
chunk = st.text(alphabet=st.one_of(han, han, han, other), min_size=0, max_size=40)


@st.composite
def dodged_term(draw):
    term = draw(st.sampled_from(PLANTED))
    sep = draw(st.sampled_from(SEPARATORS))
    return sep.join(term)


@st.composite
def texts(draw):
    parts = draw(st.lists(st.one_of(chunk, dodged_term()), min_size=1, max_size=8))
    return "".join(parts)


SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def planted_lexicon(db):
    for term in PLANTED[:3]:  # 加微信 is in the default lexicon already
        Term.objects.update_or_create(normalized=normalise_term(term), defaults={"text": term, "category": "ads", "action": "review"})
    WhitelistEntry.objects.create(text="学习园地")


@SETTINGS
@given(text=texts())
def test_screen_text_returns_spans_into_the_unchanged_input(planted_lexicon, text):
    original = text.encode("utf-8")
    screening = screen_text(text)
    assert text.encode("utf-8") == original
    for hit in screening.hits:
        assert text[hit.start:hit.end] == hit.excerpt


@SETTINGS
@given(title=st.text(alphabet=st.one_of(han, other), min_size=1, max_size=30).filter(lambda t: t.strip()), body=texts())
def test_article_save_and_moderation_store_the_text_byte_for_byte(planted_lexicon, catalogue, title, body):
    genre = Genre.objects.get(slug="jianghua")
    article = Article.objects.create(title=title, body=body, genre=genre, status=Article.Status.DRAFT)
    article_changed(article)  # the path every admin save takes: screening, related reading, search index
    moderate_article(article)
    stored = Article.objects.get(pk=article.pk)
    assert stored.title.encode("utf-8") == title.encode("utf-8")
    assert stored.body.encode("utf-8") == body.encode("utf-8")
    for flag in Flag.objects.for_object(stored):
        text = stored.title if flag.field == "title" else stored.body
        assert text[flag.start:flag.end] == flag.excerpt


term_text = st.text(alphabet=st.one_of(han, st.sampled_from(list("ＡBc學習加V*·-"))), min_size=1, max_size=12).filter(
    lambda t: any("\u4e00" <= c <= "\u9fa5" or c.isalnum() for c in t))


@SETTINGS
@given(terms=st.lists(term_text, min_size=1, max_size=6))
def test_lexicon_import_stores_terms_exactly_as_written(db, terms):
    unique = list({normalise_term(t): t for t in terms}.values())  # one spelling per matching form
    existing = set(Term.objects.values_list("normalized", flat=True))
    data = "".join(f"{t}\t自定义\t待审\n" for t in unique).encode("utf-8")
    import_lexicon(data)
    created = [t for t in unique if normalise_term(t) not in existing]
    for t in created:  # a term that existed keeps its stored spelling; a new one is stored as written
        assert Term.objects.get(normalized=normalise_term(t)).text.encode("utf-8") == t.encode("utf-8")
    Term.objects.filter(normalized__in=[normalise_term(t) for t in created]).delete()


@SETTINGS
@given(text=texts())
def test_lint_never_changes_the_text(text):
    original = text.encode("utf-8")
    for finding in lint_text(text):
        assert text[finding.start:finding.end] == finding.excerpt
    assert text.encode("utf-8") == original


@settings(max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts())
def test_lint_command_leaves_files_byte_for_byte(tmp_path, text):
    path = tmp_path / "text.txt"
    data = text.encode("utf-8")
    path.write_bytes(data)
    try:
        call_command("lint", str(path), "--json", stdout=StringIO())
    except SystemExit:
        pass
    assert path.read_bytes() == data
