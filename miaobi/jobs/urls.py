from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("desk/jobs/", views.maintenance_page, name="maintenance"),
]
