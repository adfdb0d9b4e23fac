from django.contrib import admin
from django.urls import include, path, register_converter

from miaobi.library.converters import ArticleIdConverter

# Article ids in URLs of every app: digits that fit 64 bits, so absurd ids are a 404.
register_converter(ArticleIdConverter, "article_id")

admin.site.site_header = "妙笔智库 管理后台"
admin.site.site_title = "妙笔智库"
admin.site.index_title = "内容与站点管理"

# The public pages first: URL resolution tries patterns in order, and these are most of the traffic.
urlpatterns = [
    path("", include("miaobi.library.urls")),
    path("admin/", admin.site.urls),
    path("", include("miaobi.ops.urls")),  # /healthz
    path("search/", include("miaobi.search.urls")),
    path("", include("miaobi.accounts.urls")),
    path("", include("miaobi.exports.urls")),
    path("", include("miaobi.orders.urls")),
    path("", include("miaobi.publishing.urls")),
    path("", include("miaobi.importer.urls")),
    path("", include("miaobi.jobs.urls")),
]

handler404 = "miaobi.errors.page_not_found"
handler500 = "miaobi.errors.server_error"
