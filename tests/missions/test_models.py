"""Invariants of missions, contributions and figures."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from missions.models import ContributionFigure
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    MissionFactory,
    PartnerFactory,
    SourceFactory,
)

D = dt.date
pytestmark = pytest.mark.django_db


def test_contribution_cannot_start_before_its_mission():
    mission = MissionFactory(start=D(1999, 6, 12), start_precision="day")
    contribution = ContributionFactory.build(
        partner=PartnerFactory(), mission=mission, start=D(1998, 1, 1), start_precision="year"
    )
    with pytest.raises(ValidationError, match="cannot start before its mission"):
        contribution.full_clean()


def test_contribution_cannot_outlast_its_mission():
    mission = MissionFactory(start=D(1995, 12, 20), end=D(1996, 12, 20), end_precision="day")
    ongoing = ContributionFactory.build(
        partner=PartnerFactory(), mission=mission, start=D(1996, 1, 1), start_precision="year"
    )
    with pytest.raises(ValidationError, match="cannot outlast its mission"):
        ongoing.full_clean()
    within = ContributionFactory.build(
        partner=PartnerFactory(),
        mission=mission,
        start=D(1996, 1, 1),
        start_precision="month",
        end=D(1996, 12, 20),
        end_precision="day",
    )
    within.full_clean()


def test_negative_figure_refused_by_database():
    figure = FigureFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionFigure.objects.filter(pk=figure.pk).update(personnel=-1)


def test_two_sources_that_disagree_are_two_figures_both_kept():
    contribution = ContributionFactory()
    FigureFactory(contribution=contribution, personnel=150, source=SourceFactory())
    FigureFactory(contribution=contribution, personnel=170, source=SourceFactory())
    assert sorted(contribution.figures.values_list("personnel", flat=True)) == [150, 170]


def test_same_source_same_day_same_measure_refused():
    figure = FigureFactory()
    again = ContributionFigure(
        contribution=figure.contribution,
        as_of=figure.as_of,
        as_of_precision="day",
        personnel=5,
        source=figure.source,
    )
    with pytest.raises(ValidationError, match="already gives a figure"):
        again.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()
