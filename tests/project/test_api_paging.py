"""Stable paging: walking every page of every ordering of every list endpoint yields each
row exactly once, over data where the sort keys tie a lot (every ordering ends with the
primary key: partnerships.filtersets.StableOrderingFilter and the API's paginator)."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from frameworks.models import Participation
from partnerships.api.urls import router
from partnerships.models import Release, Source
from tests.cases import without_history
from tests.factories import (
    CooperationAreaFactory,
    FigureFactory,
    FrameworkFactory,
    MilestoneFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db

PAGE_SIZE = 4
LISTS = [(prefix, viewset) for prefix, viewset, _ in router.registry]


def orderings(viewset) -> list[str]:
    """Each value of the list's ``ordering`` enum (ascending and descending), and the
    default ("")."""
    filterset = getattr(viewset, "filterset_class", None)
    ordering = filterset.base_filters.get("ordering") if filterset else None
    values = [value for value, _ in ordering.extra["choices"]] if ordering else []
    return ["", *values]


@pytest.fixture
def tied_world(db):
    """About twenty rows of each list whose sort keys are mostly the same: one region, one
    start, one status, one publisher and title, one date, one personnel figure..."""
    with without_history():
        shared = SourceFactory(key="shared", title="Same title", publisher="NATO")
        for i in range(12):
            SourceFactory(title="Same title", publisher="NATO", published=dt.date(2020, 1, 1))
            CooperationAreaFactory(name=f"Area {i % 1}{i}")
        frameworks = [FrameworkFactory(start=dt.date(1994, 1, 1)) for _ in range(10)]
        missions = [MissionFactory(start=dt.date(1999, 1, 1)) for _ in range(10)]
        for _ in range(14):
            partner = PartnerFactory(sources=[shared])
            for framework in frameworks[:2]:
                ParticipationFactory(partner=partner, framework=framework, sources=[shared])
            for mission in missions[:2]:
                figure = FigureFactory(
                    contribution__partner=partner,
                    contribution__mission=mission,
                    contribution__sources=[shared],
                    source=shared,
                )
                FigureFactory(contribution=figure.contribution, source=SourceFactory())
            MilestoneFactory(partner=partner, title="Same", sources=[shared])
            MilestoneFactory(partner=partner, title="Same", date=dt.date(1995, 1, 1))
        moment = timezone.now()
        for i in range(9):
            Release.objects.create(version=f"1.{i}", checksum="x", created=moment)
    assert Participation.objects.count() >= 20 and Source.objects.count() >= 20


def walk(api, url: str, ordering: str) -> tuple[int, list[str]]:
    """The total count and the rows of every page, in order (by their ``api_url``)."""
    params = {"page_size": PAGE_SIZE, **({"ordering": ordering} if ordering else {})}
    seen, page, count = [], 1, None
    while True:
        response = api.get(url, {**params, "page": page})
        assert response.status_code == 200, (url, ordering, page, response.content[:300])
        count = response.data["count"]
        seen += [row["api_url"] for row in response.data["results"]]
        if not response.data["next"]:
            return count, seen
        page += 1


@pytest.mark.parametrize(("prefix", "viewset"), LISTS, ids=[p for p, _ in LISTS])
def test_every_page_of_every_ordering_shows_each_row_once(api, reader, tied_world, prefix, viewset):
    cache.clear()
    api.force_authenticate(reader)  # no anonymous throttle: hundreds of pages
    url = f"/api/v1/{prefix}/"
    lost = {}
    for ordering in orderings(viewset):
        count, rows = walk(api, url, ordering)
        assert count > 2 * PAGE_SIZE, (prefix, count)  # several pages to walk
        if len(rows) != count or len(set(rows)) != count:
            lost[ordering or "(default)"] = (count, len(set(rows)))
    assert not lost, f"{prefix}: ordering -> (rows, distinct rows seen): {lost}"
