"""The analysts' pages of the core (frameworks' and missions' pages are in their apps)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("partners/", views.partner_list, name="partner-list"),
    path("partners/<str:iso3>/", views.partner_detail, name="partner-detail"),
    path("compare/", views.compare, name="compare"),
    path("matrix/frameworks/", views.matrix_frameworks, name="matrix-frameworks"),
    path("matrix/missions/", views.matrix_missions, name="matrix-missions"),
    path("map/", views.world_map, name="map"),
    path("search/", views.search, name="search"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<int:pk>/", views.source_detail, name="source-detail"),
    path("about/", views.about, name="about"),
    path("history/", views.history_list, name="history"),
    path(
        "history/<str:app_label>/<str:model_name>/<int:pk>/",
        views.object_history,
        name="object-history",
    ),
    path("releases/", views.release_list, name="release-list"),
    path("releases/<str:version>/", views.release_detail, name="release-detail"),
    path("reconcile/", views.reconcile, name="reconcile"),
    path("quality/", views.quality, name="quality"),
]
