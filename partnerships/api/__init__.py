"""The core's API resources, one module per topic; the names are re-exported here."""

from partnerships.api.facts import (
    CITING,
    CooperationAreaSerializer,
    CooperationAreaViewSet,
    MilestoneSerializer,
    MilestoneViewSet,
    SourceSerializer,
    SourceViewSet,
)
from partnerships.api.matrices import FrameworkMatrixView, MissionMatrixView
from partnerships.api.partners import (
    PartnerSerializer,
    PartnerViewSet,
    TimelineEventSerializer,
    page_abs,
    page_url,
    partner_status,
    partners_for_api,
)
from partnerships.api.provenance import (
    QualityView,
    ReconcileView,
    ReleaseSerializer,
    ReleaseViewSet,
)
from partnerships.api.tokens import TokenView

__all__ = [
    "CITING",
    "CooperationAreaSerializer",
    "CooperationAreaViewSet",
    "FrameworkMatrixView",
    "MilestoneSerializer",
    "MilestoneViewSet",
    "MissionMatrixView",
    "PartnerSerializer",
    "PartnerViewSet",
    "QualityView",
    "ReconcileView",
    "ReleaseSerializer",
    "ReleaseViewSet",
    "SourceSerializer",
    "SourceViewSet",
    "TimelineEventSerializer",
    "TokenView",
    "page_abs",
    "page_url",
    "partner_status",
    "partners_for_api",
]
