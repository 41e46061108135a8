"""An API write's reason (the ``Change-Reason`` header) is kept in history, one version per
record a write touches, as an admin save (partnerships/api/reasons.py)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from partnerships.models import Milestone
from partnerships.tokens import ApiToken
from tests.factories import MilestoneFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(curator):
    cache.clear()
    _, key = ApiToken.issue(curator)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    yield client
    cache.clear()


def test_a_patch_keeps_its_reason_and_user_in_one_version(writer, curator):
    milestone = MilestoneFactory(title="Lisbon summit")
    before = milestone.history.count()
    response = writer.patch(
        f"/api/v1/milestones/{milestone.pk}/",
        {"title": "Lisbon Summit Declaration"},
        format="json",
        HTTP_CHANGE_REASON="Title as in the declaration",
    )
    assert response.status_code == 200, response.content
    assert milestone.history.count() == before + 1
    latest = milestone.history.first()
    assert latest.history_change_reason == "Title as in the declaration"
    assert latest.history_user == curator


def test_a_create_with_sources_is_one_version_with_its_reason(writer):
    milestone = MilestoneFactory()
    source = SourceFactory()
    response = writer.post(
        "/api/v1/milestones/",
        {"partner": milestone.partner.iso3, "date": "2010-11", "kind": "other",
         "title": "Thanked at Lisbon", "sources": [source.key]},
        format="json",
        HTTP_CHANGE_REASON="From the summit declaration",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    created = Milestone.objects.get(title="Thanked at Lisbon")
    # The row and its sources: one change, one version (not one per save and link).
    assert [r.history_change_reason for r in created.history.all()] == [
        "From the summit declaration"
    ]


def test_a_delete_keeps_its_reason(writer):
    milestone = MilestoneFactory()
    pk = milestone.pk
    response = writer.delete(f"/api/v1/milestones/{pk}/", HTTP_CHANGE_REASON="A duplicate")
    assert response.status_code == 204
    gone = Milestone.history.filter(id=pk).first()
    assert gone.history_type == "-" and gone.history_change_reason == "A duplicate"


@pytest.mark.parametrize(
    ("value", "reason"), [("x" * 101, "At most 100"), ("bad\x01reason", "Control characters")]
)
def test_a_bad_reason_is_a_400_naming_the_header_and_nothing_is_written(writer, value, reason):
    milestone = MilestoneFactory(title="Kept")
    response = writer.patch(
        f"/api/v1/milestones/{milestone.pk}/",
        {"title": "Changed"},
        format="json",
        HTTP_CHANGE_REASON=value,
    )
    assert response.status_code == 400
    assert reason in response.json()["Change-Reason"][0]
    milestone.refresh_from_db()
    assert milestone.title == "Kept"


def test_the_schema_documents_the_header(writer):
    schema = writer.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/milestones/{id}/"]["patch"]
    assert "Change-Reason" in [p["name"] for p in operation["parameters"]]
    listing = schema["paths"]["/api/v1/milestones/"]["get"]
    assert "Change-Reason" not in [p["name"] for p in listing["parameters"]]
