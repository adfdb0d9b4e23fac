from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "miaobi.accounts"
    label = "accounts"
    verbose_name = "会员与账户"
