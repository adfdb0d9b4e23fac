from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "miaobi.library"
    label = "library"
    verbose_name = "范文库"
