"""Curators' admin: every model's pages load for a curator, in a bounded number of
queries that does not grow with the rows; curators cannot manage users."""

import pytest
from django.contrib import admin
from django.urls import reverse

from partnerships.apps import CURATED_APPS
from tests.cases import count_queries, without_history
from tests.factories import (
    ContributionFactory,
    CooperationAreaFactory,
    FigureFactory,
    MilestoneFactory,
    ParticipationFactory,
)

pytestmark = pytest.mark.django_db

# Releases and review marks are made from their own pages (publish, the review queue; see
# their tests), never typed into an add form; API tokens are issued by the API or a command
# and are a superuser's to see (tests/project/test_abuse.py).
MADE_ELSEWHERE = {"partnerships.release", "partnerships.reviewmark", "partnerships.apitoken"}
CURATED_MODELS = [
    model
    for model in admin.site._registry
    if model._meta.app_label in CURATED_APPS and model._meta.label_lower not in MADE_ELSEWHERE
]


def make_rows(count):
    for _ in range(count):
        ParticipationFactory()
        FigureFactory(contribution=ContributionFactory())
        MilestoneFactory()
        CooperationAreaFactory()


def url_of(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


@pytest.mark.parametrize("model", CURATED_MODELS, ids=lambda m: m._meta.label)
def test_changelist_queries_do_not_grow_with_rows(client, curator, model):
    client.force_login(curator)
    with without_history():
        make_rows(3)
    few, _ = count_queries(client, url_of(model, "changelist"))
    with without_history():
        make_rows(12)
    many, _ = count_queries(client, url_of(model, "changelist"))
    assert many == few, f"{model._meta.label}: {few} queries with few rows, {many} with more"
    assert few <= 12


@pytest.mark.parametrize("model", CURATED_MODELS, ids=lambda m: m._meta.label)
def test_add_change_and_history_pages_load(client, curator, model):
    client.force_login(curator)
    make_rows(2)
    assert client.get(url_of(model, "add")).status_code == 200
    obj = model.objects.first()
    assert client.get(url_of(model, "change", obj.pk)).status_code == 200
    assert client.get(url_of(model, "history", obj.pk)).status_code == 200


def test_curator_cannot_reach_user_administration(client, curator):
    client.force_login(curator)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_user_add")).status_code == 403


def test_reader_cannot_reach_admin(client, reader):
    client.force_login(reader)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
