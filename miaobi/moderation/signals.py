"""Every change to the lexicon replaces the revision token (see services.current_lexicon); deleting
an article deletes its flags (other apps call services.forget_object for their own objects)."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Term, WhitelistEntry


@receiver([post_save, post_delete], sender=Term)
@receiver([post_save, post_delete], sender=WhitelistEntry)
def _lexicon_changed(sender, **kwargs):
    from .services import lexicon_changed

    lexicon_changed()


@receiver(post_delete, sender="library.Article")
def _article_deleted(sender, instance, **kwargs):
    from .services import forget_object

    forget_object(instance)
