"""Root URLs: the analysts' pages, the API under /api/v1/, and the curators' admin."""

from django.contrib import admin
from django.urls import include, path

from partnerships.health import healthz, readyz

admin.site.site_header = "Partnerships KB curation"
admin.site.site_title = "Partnerships KB"

handler500 = "partnerships.middleware.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("partnerships.api.urls")),
    path("", include("partnerships.page_urls")),
    path("frameworks/", include("frameworks.urls")),
    path("missions/", include("missions.urls")),
]
