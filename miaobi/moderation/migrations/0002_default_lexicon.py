"""Load the small neutral default lexicon shipped in data/default_lexicon.txt (studios load their own)."""
import uuid
from pathlib import Path

from django.db import migrations

DEFAULT_LEXICON = Path(__file__).resolve().parent.parent / "data" / "default_lexicon.txt"


def load_default(apps, schema_editor):
    from miaobi.moderation.lexicon_io import parse_lexicon

    Term = apps.get_model("moderation", "Term")
    WhitelistEntry = apps.get_model("moderation", "WhitelistEntry")
    LexiconState = apps.get_model("moderation", "LexiconState")
    for entry in parse_lexicon(DEFAULT_LEXICON.read_text(encoding="utf-8"), "text"):
        if entry.kind == "whitelist":
            WhitelistEntry.objects.get_or_create(normalized=entry.normalized, defaults={"text": entry.text, "note": entry.note})
        else:
            Term.objects.get_or_create(normalized=entry.normalized, defaults={
                "text": entry.text, "category": entry.category, "action": entry.action,
                "replacement": entry.replacement, "note": entry.note, "is_active": entry.active,
            })
    LexiconState.objects.update_or_create(pk=1, defaults={"revision": uuid.uuid4().hex})


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(load_default, migrations.RunPython.noop)]
