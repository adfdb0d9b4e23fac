from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "miaobi.exports"
    label = "exports"
    verbose_name = "导出"
