from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "妙笔智库 管理后台"
admin.site.site_title = "妙笔智库"
admin.site.index_title = "内容与站点管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("search/", include("miaobi.search.urls")),
    path("", include("miaobi.library.urls")),
]

handler404 = "miaobi.errors.page_not_found"
handler500 = "miaobi.errors.server_error"
