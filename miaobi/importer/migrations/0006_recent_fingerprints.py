"""The recent tier of the originality index (models.RecentFingerprint), WITHOUT ROWID on SQLite like
Fingerprint (migration 0003): new articles' fingerprints land there and are merged in bulk."""
import django.db.models.deletion
from django.db import migrations, models


def without_rowid(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    table = "importer_recentfingerprint"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = %s", [table])
        create = cursor.fetchone()[0]
        if create.rstrip().upper().endswith("WITHOUT ROWID"):
            return
        cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                       [table])
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(f'DROP TABLE "{table}"')
        cursor.execute(f"{create} WITHOUT ROWID")
        for sql in indexes:
            cursor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('importer', '0005_fingerprintbacklog'),
        ('library', '0002_most_read_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecentFingerprint',
            fields=[
                ('pk', models.CompositePrimaryKey('hash', 'offset', 'article', blank=True, editable=False, primary_key=True, serialize=False)),
                ('hash', models.IntegerField()),
                ('offset', models.IntegerField()),
                ('article', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='library.article')),
            ],
        ),
        migrations.RunPython(without_rowid, migrations.RunPython.noop),
    ]
