from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("order/new/", views.new_order, name="new"),
    path("orders/", views.my_orders, name="mine"),
    path("orders/export/", views.export_my_orders, name="export"),
    path("orders/<str:number>/", views.order_detail, name="detail"),
    path("orders/<str:number>/do/<str:action>/", views.customer_action, name="action"),
    path("orders/<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
    path("desk/", views.desk, name="desk"),
    path("desk/orders/<str:number>/", views.desk_detail, name="desk_detail"),
    path("desk/orders/<str:number>/do/<str:action>/", views.desk_action, name="desk_action"),
]
