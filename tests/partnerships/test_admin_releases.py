"""Releases from the admin: the changelog previewed with who and why, then published with
the same result as ``manage.py release``; only with the permission."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from partnerships.models import Release
from partnerships.provenance.dataset import checksum, export_records
from partnerships.provenance.releases import public
from tests.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "admin:partnerships_release_publish"


def edit_with_reason(partner, user, reason):
    partner.profile = "Revised profile"
    partner._change_reason = reason
    partner._history_user = user
    partner.save()


def test_preview_shows_who_and_why_then_publish(client, curator):
    client.force_login(curator)
    call_command("release", "1.0.0")
    partner = PartnerFactory()
    edit_with_reason(partner, curator, "Profile per the 2024 partnership document")
    url = reverse(URL)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Profile per the 2024 partnership document" in text
    assert curator.get_username() in text
    assert "since release 1.0.0" in text.replace("Changes since", "since")
    checked = client.post(url, {"version": "1.1.0", "notes": "Spring"})
    assert checked.context["previewed"] and not Release.objects.filter(version="1.1.0").exists()
    done = client.post(url, {"version": "1.1.0", "notes": "Spring", "confirm": "1"})
    assert done.status_code == 302
    release = Release.objects.get(version="1.1.0")
    assert release.created_by == curator and release.notes == "Spring"
    assert release.changelog["since"] == "1.0.0"
    (entry,) = release.changelog["added"]["partners"]
    assert entry["why"] == ["Profile per the 2024 partnership document"]
    # Names are kept for staff; the public page and API say "a curator".
    assert entry["by"] == [curator.get_username()]
    (shown,) = public(release.changelog, staff=False)["added"]["partners"]
    assert shown["by"] == ["a curator"] and shown["why"] == entry["why"]
    # The same frozen content as the command gives.
    assert release.checksum == checksum(export_records())
    assert release.archive_sha256


def test_a_taken_version_is_refused_with_a_form_error(client, curator):
    client.force_login(curator)
    call_command("release", "1.0.0")
    response = client.post(reverse(URL), {"version": "1.0.0", "confirm": "1"})
    assert response.status_code == 200
    assert "exists" in str(response.context["form"].errors["version"])
    assert Release.objects.count() == 1


def test_publishing_needs_the_permission(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(reverse(URL)).status_code == 403
    assert client.post(reverse(URL), {"version": "2.0", "confirm": "1"}).status_code == 403
    assert not Release.objects.exists()
