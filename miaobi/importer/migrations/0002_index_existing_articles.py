"""Index the articles that existed before the importer (later ones are indexed on save)."""
from django.db import migrations


def index_existing(apps, schema_editor):
    from miaobi.importer import signatures as sig

    Article = apps.get_model("library", "Article")
    TextSignature = apps.get_model("importer", "TextSignature")
    LshBucket = apps.get_model("importer", "LshBucket")
    Fingerprint = apps.get_model("importer", "Fingerprint")
    done = set(TextSignature.objects.values_list("article_id", flat=True))
    for article_id, body in Article.objects.values_list("pk", "body").iterator():
        if article_id in done:
            continue
        signature = sig.minhash(body or "")
        TextSignature.objects.create(article_id=article_id, text_hash=sig.text_hash(body or ""), minhash=sig.pack(signature))
        LshBucket.objects.bulk_create([LshBucket(key=k, article_id=article_id) for k in sig.lsh_keys(signature)])
        prints, _, _ = sig.fingerprints(body or "")
        Fingerprint.objects.bulk_create([Fingerprint(hash=h, article_id=article_id, offset=o) for h, o in prints],
                                        batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("importer", "0001_initial")]
    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
