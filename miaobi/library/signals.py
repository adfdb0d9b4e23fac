"""A safety net under the services: any saved or deleted article, genre or tag retires cached pages.

The services already retire them; these receivers catch edits made elsewhere (the admin's inline
forms, a shell session, another app's save()) so a cached page never outlives a change.
Counting views (QuerySet.update) sends no signal, as it should: it must not empty the cache.
"""
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .models import Article, Genre, Tag
from .services import retire_cached


@receiver(post_save, sender=Article)
@receiver(post_delete, sender=Article)
@receiver(post_save, sender=Genre)
@receiver(post_delete, sender=Genre)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
@receiver(m2m_changed, sender=Article.tags.through)
def retire_cached_pages(**kwargs) -> None:
    if kwargs.get("raw"):  # loaddata: nothing is served from those rows yet
        return
    retire_cached()  # at once, or once at the end of an import batch
