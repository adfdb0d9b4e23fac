"""A compact duplicate and originality index (issue #8: ~80 KB per text on PostgreSQL before).

LshBucket and Fingerprint lose their id column and separate hash/key index: a composite primary key
leading with the looked-up column is the index. Fingerprint hashes become 32-bit. On SQLite both tables
are WITHOUT ROWID (the primary key is the table, stored once). The rows are rebuilt from the article
bodies (the hashes changed); going back leaves the old tables empty: run `miaobi reindex_texts` then.
"""
import django.db.models.deletion
from django.db import migrations, models

TABLES = ("importer_lshbucket", "importer_fingerprint")


def without_rowid(apps, schema_editor):
    """SQLite: recreate the (new, empty) tables as WITHOUT ROWID, keeping Django's column definitions."""
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
            create = cursor.fetchone()[0]
            if create.rstrip().upper().endswith("WITHOUT ROWID"):
                continue
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                           [table])
            indexes = [row[0] for row in cursor.fetchall()]
            cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute(f"{create} WITHOUT ROWID")
            for sql in indexes:
                cursor.execute(sql)


def index_existing(apps, schema_editor):
    """Rebuild the rows of the articles indexed before (the others are indexed by `bulk_index` or on save)."""
    from miaobi.importer import signatures as sig

    Article = apps.get_model("library", "Article")
    TextSignature = apps.get_model("importer", "TextSignature")
    LshBucket = apps.get_model("importer", "LshBucket")
    Fingerprint = apps.get_model("importer", "Fingerprint")
    minhashes = dict(TextSignature.objects.values_list("article_id", "minhash"))
    for article_id, body in Article.objects.values_list("pk", "body").iterator(chunk_size=500):
        if article_id not in minhashes:
            continue
        keys = set(sig.lsh_keys(sig.unpack(minhashes[article_id])))
        LshBucket.objects.bulk_create([LshBucket(key=k, article_id=article_id) for k in keys])
        prints, _, _ = sig.fingerprints(body or "")
        Fingerprint.objects.bulk_create([Fingerprint(hash=h, offset=o, article_id=article_id) for h, o in prints],
                                        batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("importer", "0002_index_existing_articles"),
        ("library", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="Fingerprint"),
        migrations.DeleteModel(name="LshBucket"),
        migrations.CreateModel(
            name="LshBucket",
            fields=[
                ("pk", models.CompositePrimaryKey("key", "article", blank=True, editable=False, primary_key=True,
                                                  serialize=False)),
                ("key", models.BigIntegerField()),
                ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                              to="library.article")),
            ],
        ),
        migrations.CreateModel(
            name="Fingerprint",
            fields=[
                ("pk", models.CompositePrimaryKey("hash", "offset", "article", blank=True, editable=False,
                                                  primary_key=True, serialize=False)),
                ("article", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                              to="library.article")),
                ("hash", models.IntegerField()),
                ("offset", models.IntegerField()),
            ],
        ),
        migrations.RunPython(without_rowid, migrations.RunPython.noop),
        migrations.RunPython(index_existing, migrations.RunPython.noop),
    ]
