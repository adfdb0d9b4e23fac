from django.urls import path

from . import views

app_name = "importer"
urlpatterns = [
    path("desk/import/", views.import_page, name="import"),
    path("desk/import/batches/<int:pk>/", views.batch_page, name="batch"),
    path("desk/import/batches/<int:pk>/status", views.batch_status, name="batch_status"),
    path("desk/import/batches/<int:pk>/resume/", views.batch_resume, name="batch_resume"),
    path("desk/import/duplicates/", views.duplicate_list, name="duplicates"),
    path("desk/import/duplicates/<int:pk>/", views.duplicate_detail, name="duplicate"),
    path("desk/import/duplicates/<int:pk>/resolve/", views.duplicate_resolve, name="duplicate_resolve"),
    path("desk/originality/", views.originality_page, name="originality"),
]
