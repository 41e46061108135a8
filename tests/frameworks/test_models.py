"""Invariants of frameworks and participations: refused by clean() with a clear message,
and by the database itself where it can hold them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from frameworks.models import Participation
from tests.factories import FrameworkFactory, ParticipationFactory, PartnerFactory

D = dt.date
pytestmark = pytest.mark.django_db


def refused(obj, field, fragment):
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    messages = " ".join(info.value.message_dict.get(field, []))
    assert fragment in messages, info.value.message_dict


def test_end_before_start_refused_by_clean_and_database():
    participation = ParticipationFactory.build(
        partner=PartnerFactory(),
        framework=FrameworkFactory(),
        start=D(2000, 5, 1),
        start_precision="day",
        end=D(1999, 1, 1),
        end_precision="year",
        status="ended",
    )
    refused(participation, "end", "cannot be before the start")
    with pytest.raises(IntegrityError), transaction.atomic():
        participation.save()


def test_same_year_end_at_year_precision_is_not_before_a_day_start():
    """Start 12 March 1999 (day), end 1999 (year): the end's unit covers the start."""
    participation = ParticipationFactory.build(
        partner=PartnerFactory(),
        framework=FrameworkFactory(),
        start=D(1999, 3, 12),
        start_precision="day",
        end=D(1999, 1, 1),
        end_precision="year",
        status="ended",
    )
    participation.full_clean()


def test_date_without_precision_refused_by_database():
    participation = ParticipationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.filter(pk=participation.pk).update(start_precision="")


def test_end_date_and_end_unknown_together_refused():
    participation = ParticipationFactory.build(
        partner=PartnerFactory(),
        framework=FrameworkFactory(),
        end=D(2000, 1, 1),
        end_precision="year",
        end_unknown=True,
        status="ended",
    )
    refused(participation, "end_unknown", "cannot both have an end date")


def test_active_participation_with_an_end_refused():
    participation = ParticipationFactory.build(
        partner=PartnerFactory(),
        framework=FrameworkFactory(),
        end=D(2000, 1, 1),
        end_precision="year",
        status="active",
    )
    refused(participation, "status", "has ended cannot be active")
    participation.compute_coverage()
    with pytest.raises(IntegrityError), transaction.atomic():
        participation.save()


def test_ended_participation_without_end_refused():
    participation = ParticipationFactory.build(
        partner=PartnerFactory(), framework=FrameworkFactory(), status="ended"
    )
    refused(participation, "end", "needs an end date")


def test_one_participation_per_partner_framework_start():
    first = ParticipationFactory(
        start=D(1994, 1, 1), end=D(1996, 1, 1), end_precision="year", status="ended"
    )
    again = ParticipationFactory.build(
        partner=first.partner,
        framework=first.framework,
        start=D(1994, 1, 1),
        start_precision="year",
    )
    with pytest.raises(ValidationError, match="already has a participation"):
        again.validate_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


def test_overlapping_periods_refused_with_the_other_period_named():
    first = ParticipationFactory(
        start=D(1995, 1, 1), end=D(1996, 1, 1), end_precision="year", status="ended"
    )
    overlapping = ParticipationFactory.build(
        partner=first.partner,
        framework=first.framework,
        start=D(1996, 6, 1),
        start_precision="month",
    )
    refused(overlapping, "start", "overlaps")
    # A return after a gap is fine (Malta left the PfP in 1996 and came back in 2008).
    back = ParticipationFactory.build(
        partner=first.partner,
        framework=first.framework,
        start=D(2008, 4, 1),
        start_precision="month",
    )
    back.full_clean()


def test_overlapping_periods_refused_by_postgresql_exclusion_constraint(on_postgres):
    first = ParticipationFactory(start=D(1995, 1, 1), start_precision="year")
    overlapping = ParticipationFactory.build(
        partner=first.partner,
        framework=first.framework,
        start=D(2001, 1, 1),
        start_precision="year",
    )
    with (
        pytest.raises(IntegrityError, match="participation_no_overlapping_periods"),
        transaction.atomic(),
    ):
        overlapping.save()


def test_partners_only_framework_must_end_by_accession():
    ally = PartnerFactory(nato_accession=D(2004, 3, 29), nato_accession_precision="day")
    pfp = FrameworkFactory(members_only_partners=True)
    staying = ParticipationFactory.build(
        partner=ally, framework=pfp, start=D(1994, 1, 26), start_precision="day"
    )
    refused(staying, "end", "must end by then")
    leaving = ParticipationFactory.build(
        partner=ally,
        framework=pfp,
        start=D(1994, 1, 26),
        start_precision="day",
        end=D(2004, 3, 29),
        end_precision="day",
        status="ended-by-accession",
    )
    leaving.full_clean()


def test_council_may_go_on_after_accession():
    ally = PartnerFactory(nato_accession=D(2004, 3, 29), nato_accession_precision="day")
    council = FrameworkFactory(members_only_partners=False)
    ParticipationFactory.build(
        partner=ally, framework=council, start=D(1997, 5, 30), start_precision="day"
    ).full_clean()


def test_ended_by_accession_needs_an_accession():
    participation = ParticipationFactory.build(
        partner=PartnerFactory(),
        framework=FrameworkFactory(),
        end=D(2000, 1, 1),
        end_precision="year",
        status="ended-by-accession",
    )
    refused(participation, "status", "no NATO accession date")


def test_framework_cannot_sit_under_itself():
    parent = FrameworkFactory()
    child = FrameworkFactory(parent=parent)
    parent.parent = child
    refused(parent, "parent", "cannot sit under itself")
