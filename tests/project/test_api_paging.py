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
    """Ten to forty rows of each list whose sort keys are mostly the same: one region, one
    start, one status, one publisher and title, one date, one personnel figure..."""
    with without_history():
        shared = SourceFactory(key="shared", title="Same title", publisher="NATO")
        other = SourceFactory(key="other", title="Same title", publisher="NATO")
        for i in range(10):
            SourceFactory(title="Same title", publisher="NATO", published=dt.date(2020, 1, 1))
            CooperationAreaFactory(name=f"Area {i}")
        frameworks = [FrameworkFactory(start=dt.date(1994, 1, 1), sources=[shared])]
        frameworks += [FrameworkFactory(start=dt.date(1994, 1, 1), sources=[shared])]
        missions = [MissionFactory(start=dt.date(1999, 1, 1), sources=[shared]) for _ in range(2)]
        for _ in range(10):
            partner = PartnerFactory(sources=[shared])
            for framework in frameworks:
                ParticipationFactory(partner=partner, framework=framework, sources=[shared])
            for mission in missions:
                figure = FigureFactory(
                    contribution__partner=partner,
                    contribution__mission=mission,
                    contribution__sources=[shared],
                    source=shared,
                )
                FigureFactory(contribution=figure.contribution, source=other)
            for day in (dt.date(1994, 3, 23), dt.date(1995, 1, 1)):
                MilestoneFactory(partner=partner, title="Same", date=day, sources=[shared])
        for _ in range(8):
            FrameworkFactory(start=dt.date(1994, 1, 1), sources=[shared])
            MissionFactory(start=dt.date(1999, 1, 1), sources=[shared])
        moment = timezone.now()
        for i in range(9):
            Release.objects.create(version=f"1.{i}", checksum="x", created=moment)
    assert Participation.objects.count() == 20 and Source.objects.count() == 12


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


def test_every_page_of_every_ordering_of_every_list_shows_each_row_once(api, reader, tied_world):
    """One build of the data for every list (the build is most of the cost); the failure
    names each list and ordering that lost or repeated rows."""
    cache.clear()
    api.force_authenticate(reader)  # no anonymous throttle: hundreds of pages
    lost, walked = {}, 0
    for prefix, viewset in LISTS:
        for ordering in orderings(viewset):
            count, rows = walk(api, f"/api/v1/{prefix}/", ordering)
            assert count > 2 * PAGE_SIZE, (prefix, count)  # several pages to walk
            if len(rows) != count or len(set(rows)) != count:
                lost[f"{prefix}?ordering={ordering}"] = (count, len(set(rows)))
            walked += 1
    assert walked >= 70
    assert not lost, f"list and ordering -> (rows, distinct rows seen): {lost}"
