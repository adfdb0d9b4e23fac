from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "miaobi.publishing"
    label = "publishing"
    verbose_name = "发布与统计"
    default_auto_field = "django.db.models.BigAutoField"
