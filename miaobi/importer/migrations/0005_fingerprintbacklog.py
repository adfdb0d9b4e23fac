"""Articles whose fingerprints a batch import writes at the end of the batch (see index.deferred_fingerprints)."""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("importer", "0004_importbatch_importfile"),
        ("library", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="FingerprintBacklog",
            fields=[
                ("article", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True,
                                                 related_name="+", serialize=False, to="library.article")),
            ],
        ),
    ]
