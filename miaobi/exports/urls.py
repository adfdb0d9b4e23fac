from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("a/<article_id:pk>/download/<str:fmt>/", views.download_start, name="start"),
    path("a/<article_id:pk>/<str:fmt>", views.download_file, name="file"),
    path("desk/trace/", views.trace_mark, name="trace"),
]
