"""The synthetic data generator (generate_synthetic), at a small scale."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_countries import countries

from frameworks.models import Participation
from missions.management.commands.generate_synthetic import (
    synthetic_counts,
    synthetic_missions,
    synthetic_partners,
    synthetic_sources,
)
from missions.models import Contribution, ContributionFigure, Mission
from partnerships.models import Partner, Source
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    FrameworkFactory,
    ParticipationFactory,
    PartnerFactory,
)

pytestmark = pytest.mark.django_db

SMALL = {"partners": 3, "missions": 5, "contributions": 20, "figures": 100}


def generate(seed=7, **sizes):
    call_command("generate_synthetic", seed=seed, verbosity=0, **(sizes or SMALL))


@pytest.fixture
def curated():
    """A few curated rows the generator builds on and --clear must leave alone."""
    partner = PartnerFactory()
    framework = FrameworkFactory(start=dt.date(1994, 1, 10), start_precision="day")
    ParticipationFactory(partner=partner, framework=framework)
    contribution = ContributionFactory(partner=partner)
    FigureFactory(contribution=contribution)
    return {
        model: set(model.objects.values_list("pk", flat=True))
        for model in (Partner, Participation, Mission, Contribution, ContributionFigure, Source)
    }


def snapshot():
    """The generated rows by natural key (ids differ between runs)."""
    return {
        "partners": list(
            synthetic_partners().order_by("iso3").values_list("iso3", "country", "name", "region")
        ),
        "missions": list(
            synthetic_missions()
            .order_by("slug")
            .values_list("slug", "start", "start_precision", "end", "end_precision")
        ),
        "contributions": list(
            Contribution.objects.filter(mission__slug__startswith="synthetic-")
            .order_by("mission__slug", "partner__iso3", "start")
            .values_list("partner__iso3", "mission__slug", "start", "end", "end_unknown")
        ),
        "figures": list(
            ContributionFigure.objects.filter(contribution__mission__slug__startswith="synthetic-")
            .order_by(
                "contribution__mission__slug",
                "contribution__partner__iso3",
                "contribution__start",
                "source__key",
                "measure",
                "as_of",
            )
            .values_list(
                "contribution__partner__iso3", "as_of", "measure", "source__key", "personnel"
            )
        ),
    }


def test_generates_the_sizes_asked_for(curated):
    generate()
    assert synthetic_counts() == SMALL
    assert synthetic_sources().count() == 5


def test_generated_rows_hold_the_invariants(curated):
    generate()
    partners = list(synthetic_partners())
    for partner in partners:
        assert partner.iso3.isalpha() and partner.iso3.isupper() and len(partner.iso3) == 3
        assert not countries.alpha2(partner.iso3), f"{partner.iso3} is a real ISO code"
        assert partner.name.endswith("(synthetic)")
        assert partner.sources.exists()
    for mission in synthetic_missions():
        mission.full_clean()
        assert mission.sources.exists()
    contributions = Contribution.objects.filter(mission__slug__startswith="synthetic-")
    for contribution in contributions.select_related("mission", "partner"):
        stored = (contribution.covers_from, contribution.covers_until)
        contribution.full_clean()  # inside its mission, end not before start, precision
        assert (contribution.covers_from, contribution.covers_until) == stored
        assert contribution.roles.exists() and contribution.sources.exists()
    for participation in Participation.objects.filter(partner__in=partners):
        participation.full_clean()
    figures = ContributionFigure.objects.filter(contribution__in=contributions).select_related(
        "contribution", "source"
    )
    assert figures.count() == SMALL["figures"]
    for figure in figures:
        figure.full_clean()
        assert figure.personnel >= 0 and figure.as_of_precision == "month"
        assert figure.source.key.startswith("synthetic-")
        assert figure.as_of >= figure.contribution.covers_from.replace(day=1)
        until = figure.contribution.covers_until
        assert until is None or figure.as_of <= until


def test_clear_removes_only_the_synthetic_rows(curated):
    generate()
    call_command("generate_synthetic", clear=True, verbosity=0)
    assert synthetic_counts() == dict.fromkeys(SMALL, 0)
    assert not synthetic_sources().exists()
    for model, pks in curated.items():
        assert set(model.objects.values_list("pk", flat=True)) == pks, model.__name__


def test_the_same_seed_gives_the_same_data(curated):
    generate(seed=3)
    first = snapshot()
    call_command("generate_synthetic", clear=True, seed=3, verbosity=0, **SMALL)
    assert snapshot() == first
    call_command("generate_synthetic", clear=True, seed=4, verbosity=0, **SMALL)
    assert snapshot() != first


def test_refuses_to_generate_twice_without_clear(curated):
    generate()
    with pytest.raises(CommandError, match="--clear"):
        generate()
