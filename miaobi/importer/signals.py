"""The indexes follow every saved article body (rows of deleted articles go by ON DELETE CASCADE)."""
from django.db.models.signals import post_save
from django.dispatch import receiver

from miaobi.library.models import Article

from .index import index_article


@receiver(post_save, sender=Article, dispatch_uid="importer_index_article")
def _article_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and "body" not in update_fields:
        return
    index_article(instance, created=created)
