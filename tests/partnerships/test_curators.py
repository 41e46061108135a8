"""A curator enters a partner, framework, participation with sources and a contribution
with two disagreeing figures through the admin, and sees the history."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from frameworks.models import Framework, Participation
from missions.models import Contribution, ContributionFigure, Role
from partnerships.models import Partner
from tests.factories import MissionFactory, SourceFactory

pytestmark = pytest.mark.django_db


def form_errors(response):
    """The admin form's and its inlines' errors, to say why a post was refused."""
    context = response.context
    if context is None or "adminform" not in context:
        return response.status_code
    inlines = [formset.formset.errors for formset in context.get("inline_admin_formsets", [])]
    return context["adminform"].form.errors, inlines


def inline_management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_curator_enters_facts_and_sees_history(client, curator):
    client.force_login(curator)
    source_a, source_b = SourceFactory(), SourceFactory()

    response = client.post(
        reverse("admin:partnerships_partner_add"),
        {
            "iso3": "GEO",
            "country": "GE",
            "name": "Georgia",
            "other_names": "[]",
            "region": "south-caucasus",
            "profile": "A partner in the South Caucasus.",
            "sources": [source_a.pk],
            **inline_management("milestones"),
            **inline_management("participations"),
            **inline_management("contributions"),
        },
    )
    assert response.status_code == 302, form_errors(response)
    georgia = Partner.objects.get(iso3="GEO")

    response = client.post(
        reverse("admin:frameworks_framework_add"),
        {
            "name": "Partnership for Peace",
            "acronym": "PfP",
            "slug": "partnership-for-peace",
            "kind": "programme",
            "members_only_partners": "on",
            "start": "1994-01-10",
            "sources": [source_a.pk],
            **inline_management("children"),
        },
    )
    assert response.status_code == 302, form_errors(response)
    pfp = Framework.objects.get(slug="partnership-for-peace")

    response = client.post(
        reverse("admin:frameworks_participation_add"),
        {
            "partner": georgia.pk,
            "framework": pfp.pk,
            "status": "active",
            "start": "1994-03-23",
            "sources": [source_a.pk, source_b.pk],
        },
    )
    assert response.status_code == 302, form_errors(response)
    participation = Participation.objects.get(partner=georgia, framework=pfp)
    assert set(participation.sources.all()) == {source_a, source_b}

    mission = MissionFactory()
    response = client.post(
        reverse("admin:missions_contribution_add"),
        {
            "partner": georgia.pk,
            "mission": mission.pk,
            "roles": [Role.objects.get(slug="troops").pk],
            "start": "2000",
            "sources": [source_a.pk],
            **inline_management("figures", total=2),
            "figures-0-as_of": "2005-06-01",
            "figures-0-personnel": "150",
            "figures-0-measure": "snapshot",
            "figures-0-rank": "normal",  # the form's default, as a browser sends it
            "figures-0-source": source_a.pk,
            "figures-1-as_of": "2005-06-01",
            "figures-1-personnel": "170",
            "figures-1-measure": "snapshot",
            "figures-1-rank": "normal",
            "figures-1-source": source_b.pk,
        },
    )
    assert response.status_code == 302, form_errors(response)
    contribution = Contribution.objects.get(partner=georgia, mission=mission)
    assert sorted(
        ContributionFigure.objects.filter(contribution=contribution).values_list(
            "personnel", flat=True
        )
    ) == [150, 170]

    # History: who changed what, when.
    records = list(participation.history.order_by("history_date"))
    assert records[0].history_type == "+"
    assert {r.history_user for r in records} == {curator}
    # The links to its sources are kept in history too.
    assert {row.source for row in records[-1].sources.all()} == {source_a, source_b}
    history_page = client.get(
        reverse("admin:frameworks_participation_history", args=[participation.pk])
    )
    assert history_page.status_code == 200
    assert curator.username in history_page.content.decode()


def test_fact_without_source_refused_with_form_error(client, curator):
    client.force_login(curator)
    from tests.factories import FrameworkFactory, PartnerFactory

    response = client.post(
        reverse("admin:frameworks_participation_add"),
        {
            "partner": PartnerFactory().pk,
            "framework": FrameworkFactory().pk,
            "status": "active",
            "start": "1994",
        },
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Participation.objects.exists()


def test_curator_restores_a_deleted_fact_from_history(client, curator):
    from tests.factories import ParticipationFactory

    client.force_login(curator)
    participation = ParticipationFactory(notes="Will be missed")
    object_id, sources = participation.pk, set(participation.sources.all())
    participation.delete()
    listing = client.get(reverse("admin:frameworks_participation_deleted"))
    assert listing.status_code == 200
    # As the page escapes it, e.g. "Côte d&#x27;Ivoire".
    assert escape(str(participation.partner)) in listing.content.decode()
    response = client.post(reverse("admin:frameworks_participation_restore", args=[object_id]))
    assert response.status_code == 302
    restored = Participation.objects.get(pk=object_id)
    assert restored.notes == "Will be missed"
    assert set(restored.sources.all()) == sources
    assert restored.history.first().history_change_reason == "restored from history"
    # Restoring twice is refused: it exists again.
    again = client.post(reverse("admin:frameworks_participation_restore", args=[object_id]))
    assert again.status_code == 404


def test_readers_cannot_restore(client, reader):
    client.force_login(reader)
    response = client.post(reverse("admin:frameworks_participation_restore", args=[1]))
    assert response.status_code == 302  # to the admin login
