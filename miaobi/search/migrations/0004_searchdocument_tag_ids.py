"""Tag ids on search_document, so that tag facets need no join (filled here for rows already indexed)."""
from django.db import migrations, models

BATCH = 2000


def fill_tag_ids(apps, schema_editor):
    SearchDocument = apps.get_model("search", "SearchDocument")
    Article = apps.get_model("library", "Article")
    ids = list(SearchDocument.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        tags: dict[int, list[int]] = {}
        for article_id, tag_id in Article.tags.through.objects.filter(article_id__in=batch).values_list("article_id", "tag_id"):
            tags.setdefault(article_id, []).append(tag_id)
        rows = [SearchDocument(pk=pk, tag_ids=" ".join(str(t) for t in sorted(tags[pk]))) for pk in batch if pk in tags]
        SearchDocument.objects.bulk_update(rows, ["tag_ids"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_index_existing_articles")]
    operations = [
        migrations.AddField("searchdocument", "tag_ids", models.CharField(blank=True, default="", max_length=200)),
        migrations.RunPython(fill_tag_ids, migrations.RunPython.noop),
    ]
