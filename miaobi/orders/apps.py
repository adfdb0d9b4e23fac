from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "miaobi.orders"
    label = "orders"
    verbose_name = "定制代笔"
