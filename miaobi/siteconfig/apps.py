from django.apps import AppConfig


class SiteconfigConfig(AppConfig):
    name = "miaobi.siteconfig"
    label = "siteconfig"
    verbose_name = "站点设置"
