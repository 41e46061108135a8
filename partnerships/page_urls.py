"""The analysts' pages of the core (frameworks' and missions' pages are in their apps)."""

from django.urls import path

from partnerships.views import (
    checks,
    compare,
    history,
    home,
    map,
    matrices,
    partners,
    releases,
    search,
    sources,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("partners/", partners.partner_list, name="partner-list"),
    path("partners/<str:iso3>/", partners.partner_detail, name="partner-detail"),
    path("compare/", compare.compare, name="compare"),
    path("matrix/frameworks/", matrices.matrix_frameworks, name="matrix-frameworks"),
    path("matrix/missions/", matrices.matrix_missions, name="matrix-missions"),
    path("map/", map.world_map, name="map"),
    path("search/", search.search, name="search"),
    path("sources/", sources.source_list, name="source-list"),
    path("sources/<int:pk>/", sources.source_detail, name="source-detail"),
    path("about/", home.about, name="about"),
    path("history/", history.history_list, name="history"),
    path(
        "history/<str:app_label>/<str:model_name>/<int:pk>/",
        history.object_history,
        name="object-history",
    ),
    path("releases/", releases.release_list, name="release-list"),
    path("releases/<str:version>/", releases.release_detail, name="release-detail"),
    path("releases/<str:version>/download/", releases.release_download, name="release-download"),
    path("reconcile/", checks.reconcile, name="reconcile"),
    path("quality/", checks.quality, name="quality"),
]
