"""A partner's status: the SQL rule (filters, annotations) and the Python rule (a partner
whose participations are loaded) give the same answer on every case."""

import datetime as dt

import pytest

from frameworks.models import Participation
from partnerships.dates import Precision, active_on_q
from partnerships.models import Partner
from partnerships.status import STATUSES, partner_status, partner_status_q, with_status
from tests.factories import FrameworkFactory, ParticipationFactory, PartnerFactory

DAY = dt.date(2010, 6, 1)


@pytest.fixture
def cases(db):
    framework, other = FrameworkFactory(), FrameworkFactory()
    expected = {}

    def partner(status, *periods, accession=None):
        p = PartnerFactory(
            nato_accession=accession, nato_accession_precision=Precision.DAY if accession else ""
        )
        for framework_, state, start, end in periods:
            ParticipationFactory(
                partner=p, framework=framework_, status=state, start=start, end=end,
                end_precision=Precision.DAY if end else "",
            )  # fmt: skip
        expected[p.pk] = status
        return p

    partner("ally", (framework, "ended-by-accession", dt.date(1994, 1, 1), dt.date(2004, 3, 29)),
            accession=dt.date(2004, 3, 29))  # fmt: skip
    partner("partner", (framework, "active", dt.date(1994, 1, 1), None))
    partner("partner", (framework, "suspended", dt.date(1994, 1, 1), None),
            (other, "active", dt.date(2000, 1, 1), None))  # fmt: skip
    partner("suspended", (framework, "suspended", dt.date(1994, 1, 1), None))
    partner("former", (framework, "ended", dt.date(1994, 1, 1), dt.date(2009, 12, 31)))
    partner("former", (framework, "active", dt.date(2011, 1, 1), None))  # not yet on DAY
    partner("former")
    return expected


def test_sql_and_python_agree_on_every_case(cases):
    annotated = {p.pk: p.status_on for p in with_status(Partner.objects.all(), DAY)}
    assert annotated == cases
    for partner in Partner.objects.all():
        on_day = Participation.objects.filter(active_on_q(DAY), partner=partner)
        assert partner_status(partner, list(on_day), DAY) == cases[partner.pk], partner


def test_each_status_filter_keeps_exactly_its_partners(cases):
    for status in STATUSES:
        kept = set(
            Partner.objects.filter(partner_status_q(status, DAY)).values_list("pk", flat=True)
        )
        assert kept == {pk for pk, s in cases.items() if s == status}, status
