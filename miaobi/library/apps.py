from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "miaobi.library"
    label = "library"
    verbose_name = "范文库"

    def ready(self) -> None:
        from . import signals  # noqa: F401
