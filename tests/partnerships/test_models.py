"""Invariants of the core's models (partners, sources, milestones): refused by clean() with a
clear message, and by the database itself where it can hold them."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partnerships.models import Milestone, Partner, Source
from tests.factories import MilestoneFactory, PartnerFactory, SourceFactory

D = dt.date
pytestmark = pytest.mark.django_db


def refused(obj, field, fragment):
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    messages = " ".join(info.value.message_dict.get(field, []))
    assert fragment in messages, info.value.message_dict


def test_partner_code_typed_in_any_case_is_stored_in_capitals_with_its_alpha2():
    partner = Partner(iso3="geo", name="Georgia", region="south-caucasus")
    partner.save()
    partner.refresh_from_db()
    assert (partner.iso3, str(partner.country)) == ("GEO", "GE")


def test_partner_code_that_is_not_iso_refused_by_clean():
    refused(Partner(iso3="XXX", name="Nowhere", region="europe"), "iso3", "is not an ISO 3166-1")


def test_partner_alpha2_must_match_its_alpha3():
    partner = Partner(iso3="GEO", country="FI", name="Georgia", region="south-caucasus")
    refused(partner, "country", "GEO is GE in ISO 3166-1, not FI")


def test_partner_code_format_refused_by_database():
    partner = PartnerFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.filter(pk=partner.pk).update(iso3="ge1")


def test_accession_without_precision_refused_by_clean_and_database():
    partner = PartnerFactory.build(iso3="FIN", nato_accession=D(2023, 4, 4))
    partner.nato_accession_precision = ""
    refused(partner, "nato_accession_precision", "Say how precise")
    saved = PartnerFactory(iso3="SWE")
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.filter(pk=saved.pk).update(nato_accession=D(2024, 3, 7))


def test_source_published_without_precision_refused_by_clean():
    source = SourceFactory.build(published=D(2020, 1, 1), published_precision="")
    refused(source, "published_precision", "Say how precise")


def test_same_milestone_twice_refused_by_database():
    milestone = MilestoneFactory(title="Bucharest Summit", date=D(2008, 4, 3))
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.create(
            partner=milestone.partner,
            date=milestone.date,
            date_precision="day",
            kind=Milestone.Kind.SUMMIT_DECISION,
            title="Bucharest Summit",
        )


def test_year_precision_dates_are_stored_as_their_year():
    milestone = MilestoneFactory(date=D(1994, 3, 23), date_precision="year")
    source = SourceFactory(published=D(2020, 6, 15), published_precision="month")
    milestone.refresh_from_db()
    source.refresh_from_db()
    assert (milestone.date, milestone.date_display) == (D(1994, 1, 1), "1994")
    assert source.published == D(2020, 6, 1)
    assert Source.objects.filter(published=D(2020, 6, 1)).exists()
