"""The researchers' REST API under /api/v1/, with its OpenAPI schema and documentation."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import APIRootView, DefaultRouter

from frameworks.api import FrameworkViewSet, ParticipationViewSet
from missions.api import ContributionViewSet, FigureViewSet, MissionViewSet
from partnerships.api.base import StrictQueryMixin
from partnerships.api.facts import CooperationAreaViewSet, MilestoneViewSet, SourceViewSet
from partnerships.api.matrices import FrameworkMatrixView, MissionMatrixView
from partnerships.api.partners import PartnerViewSet
from partnerships.api.provenance import QualityView, ReconcileView, ReleaseViewSet
from partnerships.api.search import SearchView
from partnerships.api.tokens import TokenRotateView, TokenView

app_name = "api"


class RootView(StrictQueryMixin, APIRootView):
    """The API's resources, each with its list URL."""


router = DefaultRouter()
router.APIRootView = RootView
router.register("partners", PartnerViewSet, basename="partner")
router.register("frameworks", FrameworkViewSet, basename="framework")
router.register("participations", ParticipationViewSet, basename="participation")
router.register("missions", MissionViewSet, basename="mission")
router.register("contributions", ContributionViewSet, basename="contribution")
router.register("figures", FigureViewSet, basename="figure")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("sources", SourceViewSet, basename="source")
router.register("cooperation-areas", CooperationAreaViewSet, basename="cooperation-area")
router.register("releases", ReleaseViewSet, basename="release")

urlpatterns = [
    path("matrix/frameworks/", FrameworkMatrixView.as_view(), name="matrix-frameworks"),
    path("matrix/missions/", MissionMatrixView.as_view(), name="matrix-missions"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The documentation viewers style their widgets inline and Redoc runs a worker from a
    # blob: only these two pages relax the Content Security Policy, and only for that.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api:schema")
        ),
        name="docs",
    ),
    path(
        "redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
            SpectacularRedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/token/rotate/", TokenRotateView.as_view(), name="token-rotate"),
    path("search/", SearchView.as_view(), name="search"),
    path("reconcile/", ReconcileView.as_view(), name="reconcile"),
    path("quality/", QualityView.as_view(), name="quality"),
    path("", include(router.urls)),
]
