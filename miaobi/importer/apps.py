from django.apps import AppConfig


class ImporterConfig(AppConfig):
    name = "miaobi.importer"
    label = "importer"
    verbose_name = "导入"

    def ready(self):
        from . import signals  # noqa: F401  (keeps the duplicate and originality indexes current)
