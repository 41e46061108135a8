"""Every URL (pages, API, admin) for an anonymous visitor, a reader, a curator and a
superuser: anonymous visitors and readers never write; curators cannot manage users."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships.provenance.releases import make_release
from tests.factories import (
    ContributionFactory,
    FigureFactory,
    MilestoneFactory,
    ParticipationFactory,
    SourceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
USERS = ("anonymous", "reader", "curator", "superuser")


@pytest.fixture
def facts():
    participation = ParticipationFactory()
    contribution = ContributionFactory(partner=participation.partner)
    figure = FigureFactory(contribution=contribution)
    milestone = MilestoneFactory(partner=participation.partner)
    make_release("1.0.0")
    return {
        "partner": participation.partner,
        "framework": participation.framework,
        "participation": participation,
        "mission": contribution.mission,
        "contribution": contribution,
        "figure": figure,
        "milestone": milestone,
        "source": SourceFactory(),
    }


def client_for(who, users):
    cache.clear()
    client = APIClient()
    if who != "anonymous":
        client.force_login(users[who])
    return client


@pytest.fixture
def users(reader, curator, superuser):
    return {"reader": reader, "curator": curator, "superuser": superuser}


def page_urls(f):
    iso3 = f["partner"].iso3.lower()
    return [
        "/",
        "/partners/",
        f"/partners/{iso3}/",
        "/frameworks/",
        f"/frameworks/{f['framework'].slug}/",
        "/missions/",
        f"/missions/{f['mission'].slug}/",
        "/matrix/frameworks/",
        "/matrix/missions/",
        f"/compare/?partners={iso3}",
        "/map/",
        "/search/?q=a",
        "/sources/",
        f"/sources/{f['source'].pk}/",
        "/about/",
        "/history/",
        f"/history/partnerships/partner/{f['partner'].pk}/",
        "/releases/",
        "/releases/1.0.0/",
        "/reconcile/",
        *STAFF_PAGES,
        "/api/v1/",
        "/api/v1/schema/",
        "/api/v1/docs/",
        "/api/v1/redoc/",
        "/api/v1/matrix/frameworks/",
        "/api/v1/matrix/missions/",
        f"/api/v1/partners/{iso3}/timeline/",
        "/healthz",
        "/readyz",
    ]


# Pages for staff only (they link into the admin): others are sent to the login page.
STAFF_PAGES = ["/quality/", "/api/v1/quality/"]
STAFF = {"curator", "superuser"}

API_DETAILS = {
    "partners": lambda f: f["partner"].iso3,
    "frameworks": lambda f: f["framework"].slug,
    "participations": lambda f: f["participation"].pk,
    "missions": lambda f: f["mission"].slug,
    "contributions": lambda f: f["contribution"].pk,
    "figures": lambda f: f["figure"].pk,
    "milestones": lambda f: f["milestone"].pk,
    "sources": lambda f: f["source"].pk,
}


@pytest.mark.parametrize("who", USERS)
def test_everyone_reads_every_page_and_api_resource(who, users, facts):
    client = client_for(who, users)
    for url in page_urls(facts):
        response = client.get(url)
        if url in STAFF_PAGES and who not in STAFF:
            assert response.status_code != 200, (who, url)
            continue
        assert response.status_code == 200, (who, url, response.status_code, response.content[:300])
    for resource, key in API_DETAILS.items():
        for url in (f"/api/v1/{resource}/", f"/api/v1/{resource}/{key(facts)}/"):
            assert client.get(url).status_code == 200, (who, url)


# What each user gets when writing through the API: anonymous 401/403, reader 403;
# curator and superuser pass the permission check (the payload below is empty, so 400).
WRITE_EXPECTED = {
    "anonymous": {401, 403},
    "reader": {403},
    "curator": {400},
    "superuser": {400},
}
DELETE_EXPECTED = {"anonymous": {401, 403}, "reader": {403}, "curator": {204}, "superuser": {204}}


@pytest.mark.parametrize("who", USERS)
def test_only_curators_write_through_the_api(who, users, facts):
    client = client_for(who, users)
    for resource, key in API_DETAILS.items():
        status = client.post(f"/api/v1/{resource}/", {}, format="json").status_code
        assert status in WRITE_EXPECTED[who], (who, "POST", resource, status)
        detail = f"/api/v1/{resource}/{key(facts)}/"
        status = client.patch(detail, {}, format="json").status_code
        assert status in ({200} if who in {"curator", "superuser"} else WRITE_EXPECTED[who]), (
            who,
            "PATCH",
            resource,
            status,
        )
    # Deleting a figure (nothing depends on it).
    status = client.delete(f"/api/v1/figures/{facts['figure'].pk}/").status_code
    assert status in DELETE_EXPECTED[who], (who, "DELETE", status)


ADMIN_EXPECTED = {
    # url name: status per user (302 = sent to the login page)
    "admin:index": {"anonymous": 302, "reader": 302, "curator": 200, "superuser": 200},
    "admin:partnerships_partner_changelist": {
        "anonymous": 302, "reader": 302, "curator": 200, "superuser": 200},
    "admin:frameworks_participation_add": {
        "anonymous": 302, "reader": 302, "curator": 200, "superuser": 200},
    "admin:missions_contributionfigure_changelist": {
        "anonymous": 302, "reader": 302, "curator": 200, "superuser": 200},
    "admin:auth_user_changelist": {
        "anonymous": 302, "reader": 302, "curator": 403, "superuser": 200},
    "admin:auth_user_add": {"anonymous": 302, "reader": 302, "curator": 403, "superuser": 200},
    "admin:auth_group_changelist": {
        "anonymous": 302, "reader": 302, "curator": 403, "superuser": 200},
    "admin:partnerships_apitoken_changelist": {
        "anonymous": 302, "reader": 302, "curator": 403, "superuser": 200},
}  # fmt: skip


@pytest.mark.parametrize("who", USERS)
def test_admin_is_for_curators_and_user_management_for_superusers(who, users, facts):
    client = client_for(who, users)
    for name, expected in ADMIN_EXPECTED.items():
        status = client.get(reverse(name)).status_code
        assert status == expected[who], (who, name, status)


def test_curator_cannot_make_themselves_superuser(users):
    client = client_for("curator", users)
    curator = users["curator"]
    url = reverse("admin:auth_user_change", args=[curator.pk])
    assert client.post(url, {"username": curator.username, "is_superuser": "on"}).status_code == 403
    curator.refresh_from_db()
    assert not curator.is_superuser
    assert UserFactory._meta.model.objects.filter(is_superuser=True).count() == 1
