from django.contrib import admin
from django.urls import path

admin.site.site_header = "Partnerships KB curation"
admin.site.site_title = "Partnerships KB"

urlpatterns = [
    path("admin/", admin.site.urls),
]
