"""The partner change page stays bounded: its inline rows capped with a link to the rest,
and its related rows (autocomplete labels, sources, roles) loaded in a fixed number of
queries, at curated size (Ukraine) and at a synthetic size (150 contributions)."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frameworks.models import Participation
from missions.models import Contribution
from partnerships.admin_inlines import INLINE_CAP
from partnerships.dates import Precision
from partnerships.management.commands.load_knowledge import load_knowledge
from partnerships.models import Milestone, Partner
from tests.cases import without_history
from tests.factories import (
    ContributionFactory,
    MilestoneFactory,
    MissionFactory,
    ParticipationFactory,
    PartnerFactory,
    SourceFactory,
)

# Queries of the page whatever the number of rows: the session and user, the partner and its
# own links, then per inline (milestones, participations, contributions) a count, the page of
# rows, their links (a query per kind of link) and the labels of the rows they name.
MAX_QUERIES = 40


def change_page(client, partner) -> tuple[int, float, str]:
    url = reverse("admin:partnerships_partner_change", args=[partner.pk])
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - began
    assert response.status_code == 200
    return len(queries), seconds, response.content.decode()


def partner_with(contributions: int):
    partner = PartnerFactory()
    sources = [SourceFactory() for _ in range(3)]
    with without_history():
        for _ in range(contributions):
            mission = MissionFactory(start=dt.date(1990, 1, 1), start_precision=Precision.YEAR)
            ContributionFactory(partner=partner, mission=mission, sources=sources)
        for _ in range(3):
            ParticipationFactory(partner=partner, sources=sources)
            MilestoneFactory(partner=partner, sources=sources)
    return partner


@pytest.mark.django_db
def test_queries_do_not_grow_with_the_contributions(client, curator):
    client.force_login(curator)
    small = partner_with(5)
    change_page(client, small)  # the first request after login also updates the session
    few, _, _ = change_page(client, small)
    many, seconds, page = change_page(client, partner_with(150))
    print(f"\npartner change page, 5 contributions: {few} queries; 150: {many}, {seconds:.2f} s")
    assert many == few
    assert many <= MAX_QUERIES


@pytest.mark.django_db
def test_inline_rows_are_capped_with_a_link_to_the_rest(client, curator):
    client.force_login(curator)
    partner = partner_with(INLINE_CAP + 10)
    _, _, page = change_page(client, partner)
    assert page.count('name="contributions-') > 0
    assert f'name="contributions-{INLINE_CAP}-id"' not in page
    assert f'name="contributions-{INLINE_CAP - 1}-id"' in page
    link = reverse("admin:missions_contribution_changelist") + f"?partner__id__exact={partner.pk}"
    assert link.replace("&", "&amp;") in page
    assert f"{INLINE_CAP} of {INLINE_CAP + 10}" in page


@pytest.mark.django_db
def test_autocompletes_label_facts_with_their_dates(client, curator):
    client.force_login(curator)
    partner = partner_with(1)
    contribution = Contribution.objects.get(partner=partner)
    contribution.start, contribution.start_precision = dt.date(2004, 2, 1), Precision.MONTH
    contribution.end, contribution.end_precision = dt.date(2012, 2, 1), Precision.MONTH
    contribution.save()
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "missions", "model_name": "contributionfigure",
         "field_name": "contribution", "term": partner.name[:4]},
    )  # fmt: skip
    texts = [r["text"] for r in response.json()["results"]]
    assert texts == [f"{contribution}, Feb 2004 – Feb 2012"]
    source = contribution.sources.first()
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "missions", "model_name": "contributionfigure",
         "field_name": "source", "term": source.key},
    )  # fmt: skip
    (text,) = [r["text"] for r in response.json()["results"]]
    for part in (source.publisher, "1 Jan 2020", source.tier, source.key, source.title):
        assert part in text


@pytest.fixture(scope="module")
def curated(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_knowledge(settings.DATA_DIR)
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_ukraine_at_curated_size(curated, client, curator):
    client.force_login(curator)
    ukraine = Partner.objects.get(iso3="UKR")
    queries, seconds, _ = change_page(client, ukraine)
    rows = (
        Contribution.objects.filter(partner=ukraine).count(),
        Participation.objects.filter(partner=ukraine).count(),
        Milestone.objects.filter(partner=ukraine).count(),
    )
    print(f"\nUkraine {rows}: {queries} queries, {seconds:.2f} s")
    assert queries <= MAX_QUERIES
