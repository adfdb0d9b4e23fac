from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "miaobi.ops"
    verbose_name = "运维"
