from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "miaobi.moderation"
    label = "moderation"
    verbose_name = "内容审核"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (lexicon changes bump the lexicon revision)
