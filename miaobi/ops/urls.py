from django.urls import path

from . import views

app_name = "ops"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (the admin, files opened directly).
    path("favicon.ico", views.favicon, name="favicon"),
]
