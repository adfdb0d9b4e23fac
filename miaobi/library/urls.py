from django.urls import path

from . import views


app_name = "library"
urlpatterns = [
    path("", views.home, name="home"),
    path("a/<article_id:pk>/", views.article_detail, name="article"),
    path("c/", views.genre_list, name="genres"),
    path("c/<slug:slug>/", views.genre_detail, name="genre"),
    path("t/", views.tag_list, name="tags"),
    path("t/<str:slug>/", views.tag_detail, name="tag"),
    path("latest/", views.latest, name="latest"),
]
