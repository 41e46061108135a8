"""An Ally's accession date cites its own sources (not the profile's), in the loader, the
admin and the API alike; the profile cites them beside the date."""

import datetime as dt
import textwrap

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from partnerships.admin import PartnerForm
from partnerships.dates import Precision
from partnerships.models import Partner
from tests.factories import PartnerFactory, SourceFactory

pytestmark = pytest.mark.django_db


def write(root, partners: str):
    for folder, text in {
        "sources": (
            "- key: nato-page\n  title: Member countries\n  publisher: NATO\n  tier: official\n"
        ),
        "partners": partners,
    }.items():
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "main.yaml").write_text(textwrap.dedent(text))
    return root


def test_the_loader_refuses_an_accession_without_its_own_sources(tmp_path):
    root = write(tmp_path, """
        - iso3: EST
          name: Estonia
          region: europe
          nato_accession: "2004-03-29"
          sources: [nato-page]
        """)  # fmt: skip
    with pytest.raises(CommandError, match="accession date needs its own sources"):
        call_command("load_knowledge", data=str(root))
    assert not Partner.objects.exists()


def test_the_loader_keeps_the_accession_sources_apart(tmp_path):
    root = write(tmp_path, """
        - iso3: EST
          name: Estonia
          region: europe
          nato_accession: "2004-03-29"
          accession_sources: [nato-page]
        """)  # fmt: skip
    call_command("load_knowledge", data=str(root))
    estonia = Partner.objects.get(iso3="EST")
    assert [s.key for s in estonia.accession_sources.all()] == ["nato-page"]
    assert not estonia.sources.exists()


def test_the_api_refuses_an_accession_without_sources(curator):
    api = APIClient()
    api.force_authenticate(curator)
    payload = {"iso3": "EST", "name": "Estonia", "region": "europe",
               "nato_accession": "2004-03-29", "sources": [SourceFactory().key]}  # fmt: skip
    response = api.post("/api/v1/partners/", payload, format="json")
    assert response.status_code == 400
    assert "accession_sources" in response.json()
    payload["accession_sources"] = [SourceFactory().key]
    assert api.post("/api/v1/partners/", payload, format="json").status_code == 201


def test_the_admin_form_says_what_is_missing():
    form = PartnerForm(
        data={"iso3": "EST", "name": "Estonia", "region": "europe",
              "nato_accession": "2004-03-29", "other_names": "[]"},
    )  # fmt: skip
    assert not form.is_valid()
    assert "accession_sources" in form.errors


def test_the_profile_cites_the_accession_sources_beside_the_date(client):
    source = SourceFactory(title="Estonia joins NATO")
    estonia = PartnerFactory(iso3="EST", nato_accession=dt.date(2004, 3, 29),
                             nato_accession_precision=Precision.DAY)  # fmt: skip
    estonia.accession_sources.set([source])
    html = client.get("/partners/est/").content.decode()
    line = next(li for li in html.split("<li>") if "Acceded to NATO" in li)
    assert "Estonia joins NATO" in line
