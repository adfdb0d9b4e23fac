from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "miaobi.search"
    label = "search"
    verbose_name = "搜索"
