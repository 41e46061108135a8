"""Figures ranked preferred / normal / deprecated: the preferred figure of a date counts over
the others, a deprecated one never, and preferring one resolves a disagreement."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from rest_framework.test import APIClient

from missions.groups import contribution_groups
from missions.models import Contribution, FigureRank
from partnerships.provenance.quality import disagreements
from tests.factories import ContributionFactory, FigureFactory, SourceFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2010, 6, 1)


@pytest.fixture
def two_sources_one_date():
    """Two sources give a figure for the same date; the earlier entry is preferred."""
    contribution = ContributionFactory()
    preferred = FigureFactory(
        contribution=contribution,
        as_of=DAY,
        personnel=150,
        rank=FigureRank.PREFERRED,
        rank_reason="The official placemat",
    )
    other = FigureFactory(contribution=contribution, as_of=DAY, personnel=900)
    return contribution, preferred, other


def picked(contribution):
    """Latest and largest from the list's one-row prefetch and from loaded figures."""
    listed = Contribution.objects.with_figure_summary().get(pk=contribution.pk)
    loaded = Contribution.objects.prefetch_related("figures").get(pk=contribution.pk)
    return (
        (listed.latest_figure, listed.largest_figure),
        (loaded.latest_figure, loaded.largest_figure),
    )


def test_the_preferred_figure_of_a_date_is_latest_and_largest(two_sources_one_date):
    contribution, preferred, _ = two_sources_one_date
    for latest, largest in picked(contribution):
        assert latest == preferred  # not the later entry
        assert largest == preferred  # not the larger figure the curator set aside


def test_a_deprecated_figure_never_counts():
    contribution = ContributionFactory()
    kept = FigureFactory(contribution=contribution, as_of=dt.date(2009, 1, 1), personnel=80)
    FigureFactory(
        contribution=contribution,
        as_of=dt.date(2011, 1, 1),
        personnel=8000,
        rank=FigureRank.DEPRECATED,
        rank_reason="A misprint: 80 in the next placemat",
    )
    for latest, largest in picked(contribution):
        assert latest == kept and largest == kept


def test_latest_is_by_date_not_entry_order():
    contribution = ContributionFactory()
    later = FigureFactory(contribution=contribution, as_of=dt.date(2012, 1, 1), personnel=10)
    FigureFactory(contribution=contribution, as_of=dt.date(2008, 1, 1), personnel=20)
    for latest, _ in picked(contribution):
        assert latest == later


def test_groups_on_pages_use_the_rank(two_sources_one_date):
    contribution, preferred, _ = two_sources_one_date
    request = RequestFactory().get("/")
    rows = Contribution.objects.filter(pk=contribution.pk)
    (group,) = contribution_groups(request, rows, "partner", "page").page.object_list
    assert group.latest == preferred and group.largest == preferred


def test_api_keeps_its_fields_and_adds_the_rank(two_sources_one_date):
    contribution, preferred, other = two_sources_one_date
    client = APIClient()
    listed = client.get("/api/v1/contributions/").json()["results"][0]
    assert listed["largest_figure"]["id"] == preferred.pk
    assert listed["largest_figure"]["rank"] == "preferred"
    assert listed["latest_figure"]["id"] == preferred.pk
    detail = client.get(f"/api/v1/contributions/{contribution.pk}/").json()
    assert {f["id"]: f["rank"] for f in detail["figures"]} == {
        preferred.pk: "preferred",
        other.pk: "normal",
    }
    figure = client.get(f"/api/v1/figures/{preferred.pk}/").json()
    assert (figure["rank"], figure["rank_reason"]) == ("preferred", "The official placemat")


def test_a_rank_other_than_normal_needs_a_reason():
    figure = FigureFactory()
    figure.rank = FigureRank.DEPRECATED
    with pytest.raises(ValidationError) as caught:
        figure.full_clean()
    assert "rank_reason" in caught.value.message_dict


def test_preferring_one_figure_resolves_the_disagreement():
    contribution = ContributionFactory()
    source = SourceFactory()
    first = FigureFactory(contribution=contribution, as_of=DAY, personnel=150)
    FigureFactory(contribution=contribution, as_of=DAY, personnel=900, source=source)
    assert len(disagreements()) == 1
    first.rank, first.rank_reason = FigureRank.PREFERRED, "The official placemat"
    first.save()
    assert disagreements() == []
