"""Index the articles that were published before search existed (a no-op on a new database)."""
from django.db import migrations

BATCH = 200


def index_existing(apps, schema_editor):
    from miaobi.search.services import build_document  # pure: tokens from the article's fields

    Article = apps.get_model("library", "Article")
    Genre = apps.get_model("library", "Genre")
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchText = apps.get_model("search", "SearchText")
    genres = dict(Genre.objects.values_list("pk", "name"))
    ids = list(Article.objects.filter(status="published").order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        tags: dict[int, list[tuple[int, str]]] = {}
        for article_id, tag_id, name in Article.tags.through.objects.filter(article_id__in=batch).values_list(
                "article_id", "tag_id", "tag__name"):
            tags.setdefault(article_id, []).append((tag_id, name))
        documents, texts = [], []
        for article in Article.objects.filter(pk__in=batch):
            pairs = tags.get(article.pk, [])
            doc, text = build_document(article, [p[0] for p in pairs], [p[1] for p in pairs],
                                       genres.get(article.genre_id, ""))
            # The fields of the model as of this migration (later ones fill theirs).
            documents.append(SearchDocument(**{f.attname: getattr(doc, f.attname)
                                               for f in SearchDocument._meta.concrete_fields}))
            texts.append(SearchText(**{f.attname: getattr(text, f.attname) for f in SearchText._meta.concrete_fields}))
        SearchDocument.objects.bulk_create(documents, ignore_conflicts=True)
        SearchText.objects.bulk_create(texts, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_search_index"), ("library", "0001_initial")]
    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
