"""Change lists read dates as a curator does: headers "Published", "As of"; values at
their precision, sortable; a year filter where a year-only date is in its year and not
filed under January."""

import datetime as dt

import pytest
from django.urls import reverse

from partnerships.dates import Precision
from tests.factories import FigureFactory, MilestoneFactory, SourceFactory

pytestmark = pytest.mark.django_db


def test_date_columns_have_readable_headers_values_and_sorting(client, curator):
    client.force_login(curator)
    SourceFactory(published=dt.date(1996, 10, 1), published_precision=Precision.MONTH)
    page = client.get(reverse("admin:partnerships_source_changelist")).content.decode()
    assert "Published display" not in page
    assert ">Published</a>" in page  # a sortable header
    assert "October 1996" in page
    FigureFactory(as_of=dt.date(2004, 1, 1), as_of_precision=Precision.YEAR)
    page = client.get(reverse("admin:missions_contributionfigure_changelist")).content.decode()
    assert "As of display" not in page and ">As of</a>" in page
    assert ">2004<" in page
    ordered = client.get(reverse("admin:partnerships_source_changelist"), {"o": "6"})
    assert ordered.status_code == 200


def test_year_filter_keeps_a_year_only_date_in_its_year_not_january(client, curator):
    client.force_login(curator)
    year_only = MilestoneFactory(date=dt.date(1996, 1, 1), date_precision=Precision.YEAR)
    dated = MilestoneFactory(date=dt.date(1996, 10, 12), date_precision=Precision.DAY)
    MilestoneFactory(date=dt.date(2001, 3, 1), date_precision=Precision.MONTH)
    url = reverse("admin:partnerships_milestone_changelist")
    page = client.get(url).content.decode()
    assert "1996 (2, 1 year only)" in page
    assert "date__month" not in page  # no drill-down that files a year under a month
    shown = client.get(url, {"date_year": "1996"}).context["cl"].result_list
    assert set(shown) == {year_only, dated}
    assert "1996" in client.get(url, {"date_year": "1996"}).content.decode()
