"""A batch of changes (an import) refreshes related reading once at its end, with the same lists."""
import pytest

from miaobi.library.models import Article, RelatedArticle
from miaobi.library.services import batch_of_changes

pytestmark = pytest.mark.django_db

WATER = "农田水利建设要抓好渠道改造和塘坝清淤，提高灌溉水有效利用系数，确保旱涝保收。" * 8
YOUTH = "青年干部要加强理论学习，到基层一线经受锻炼，在急难险重任务中增长才干。" * 8


def related_ids(article):
    return list(RelatedArticle.objects.filter(article=article).order_by("rank").values_list("related_id", flat=True))


def test_lists_are_written_at_the_end_of_the_batch_and_see_every_new_text(make_article):
    water = make_article(body=WATER)
    for i in range(5):
        make_article(body=YOUTH + str(i))
    with batch_of_changes():
        twin = make_article(body=WATER + "各乡镇要加快进度。")  # make_article calls article_changed
        draft = make_article(body=WATER + "草稿。", status=Article.Status.DRAFT)
        assert related_ids(twin) == []  # not yet
    assert related_ids(twin)[0] == water.pk and related_ids(water)[0] == twin.pk
    assert draft.pk not in related_ids(water) and related_ids(draft) == []
