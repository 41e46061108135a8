"""Reconciliation computed in SQL gives what the Python cutting of clusters gave (kept here as
the reference), pages in the database (a page's queries do not grow with the number of
disagreements) and takes page parameters like every other list."""

import datetime as dt
from collections import defaultdict

import pytest
from django.core.cache import cache
from django.db.models import F, Max, Min, Q, Window
from rest_framework.test import APIClient

from partnerships import kinds
from partnerships.provenance.quality import (
    WINDOW,
    DayNumber,
    DaysAround,
    Disagreements,
    disagreements,
)
from tests.cases import count_queries, read_csv, without_history
from tests.factories import ContributionFactory, FigureFactory, MissionFactory, PartnerFactory

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


def reference(partner=None, mission=None) -> list[tuple]:
    """The reconciliation as it was computed before: flagged in SQL, then every flagged
    figure loaded and cut into clusters in Python."""
    rows = kinds.model("figures").objects.all()
    if partner is not None:
        rows = rows.filter(contribution__partner=partner)
    if mission is not None:
        rows = rows.filter(contribution__mission=mission)
    window = {
        "partition_by": [F("contribution__partner_id"), F("contribution__mission_id")],
        "order_by": DayNumber("as_of").asc(),
        "frame": DaysAround(start=-WINDOW.days, end=WINDOW.days),
    }
    flagged = (
        rows.annotate(
            low=Window(Min("personnel"), **window), high=Window(Max("personnel"), **window)
        )
        .filter(Q(low__lt=F("personnel")) | Q(high__gt=F("personnel")))
        .select_related("contribution__partner", "contribution__mission", "source")
    )
    groups = defaultdict(list)
    for item in flagged.order_by("as_of", "pk"):
        groups[(item.contribution.partner_id, item.contribution.mission_id)].append(item)
    found = []
    for items in groups.values():
        cluster = [items[0]]
        for item in items[1:]:
            if item.as_of - cluster[-1].as_of <= WINDOW:
                cluster.append(item)
            else:
                found.append(cluster)
                cluster = [item]
        found.append(cluster)
    result = []
    for c in found:
        if len({f.personnel for f in c}) > 1 and not any(f.rank == "preferred" for f in c):
            low, high = min(f.personnel for f in c), max(f.personnel for f in c)
            relative = round((high - low) / high, 3) if high else 0.0
            partner = c[0].contribution.partner
            result.append((partner, c[0].contribution.mission, [f.pk for f in c], low, high,
                           relative, c[0].as_of))  # fmt: skip
    result.sort(key=lambda d: (-d[5], d[0].name, d[6]))  # stable: ties keep the found order
    return [d[:6] for d in result]


def summary(found) -> list[tuple]:
    return [
        (d.partner, d.mission, [f.pk for f in d.figures], d.low, d.high, d.relative_spread)
        for d in found
    ]


def figure(contribution, day: dt.date, personnel: int, **kwargs):
    return FigureFactory(contribution=contribution, as_of=day, personnel=personnel, **kwargs)


@pytest.fixture
def clusters():
    """Several clusters with every case the order and the cutting must get right."""
    zeta = PartnerFactory(iso3="ALB", name="Zeta")
    alpha = PartnerFactory(iso3="AUT", name="alpha")  # after "Zeta" in code point order
    aland = PartnerFactory(iso3="FIN", name="Åland")  # after both
    first, second = MissionFactory(), MissionFactory()
    zeta_first = ContributionFactory(partner=zeta, mission=first)
    zeta_second = ContributionFactory(partner=zeta, mission=second)
    # Ties on spread, partner and first date: the mission whose disagreements began
    # earlier comes first (second, from 2005), though its 2010 figures were recorded later.
    figure(zeta_first, D(2010, 1, 1), 100)
    figure(zeta_first, D(2010, 1, 20), 200)
    figure(zeta_second, D(2010, 1, 1), 100)
    figure(zeta_second, D(2010, 1, 20), 200)
    figure(zeta_second, D(2005, 3, 1), 300)
    figure(zeta_second, D(2005, 3, 2), 310)
    # A gap of more than 31 days splits one contribution's figures into two clusters; an
    # agreeing figure between disagreeing ones stays out.
    figure(zeta_first, D(2012, 1, 1), 50)
    figure(zeta_first, D(2012, 2, 1), 80)  # 31 days after: the same cluster
    figure(zeta_first, D(2012, 2, 5), 80)  # agrees with every figure within 31 days
    figure(zeta_first, D(2012, 2, 10), 80)
    figure(zeta_first, D(2012, 3, 12), 90)
    figure(zeta_first, D(2012, 6, 1), 10)
    figure(zeta_first, D(2012, 6, 15), 12)
    # The same figures for two more partners: ordered by name (code points).
    for partner in (alpha, aland):
        contribution = ContributionFactory(partner=partner, mission=first)
        figure(contribution, D(2010, 1, 1), 100)
        figure(contribution, D(2010, 1, 20), 200)
    # A preferred figure resolves its cluster; the other cluster of the same contribution
    # stays.
    resolved = ContributionFactory(partner=alpha, mission=second)
    figure(resolved, D(2008, 5, 1), 10, rank="preferred", rank_reason="The placemat")
    figure(resolved, D(2008, 5, 2), 90)
    figure(resolved, D(2009, 5, 1), 10)
    figure(resolved, D(2009, 5, 2), 90)
    # Agreeing figures, and a change over a year: no disagreement.
    calm = ContributionFactory(partner=aland, mission=second)
    figure(calm, D(2010, 1, 1), 7)
    figure(calm, D(2010, 1, 2), 7)
    figure(calm, D(2011, 1, 2), 70)
    return {"zeta": zeta, "alpha": alpha, "first": first, "second": second}


def test_sql_clusters_are_the_python_clusters(clusters):
    expected = reference()
    assert len(expected) == 8
    assert summary(disagreements()) == expected
    # The cluster around the agreeing figure: four figures, not five; June apart.
    zeta = {(d[3], d[4], len(d[2])) for d in expected if d[0] == clusters["zeta"]}
    assert {(50, 90, 4), (10, 12, 2)} <= zeta
    for partner in ("zeta", "alpha"):
        assert summary(disagreements(partner=clusters[partner])) == reference(
            partner=clusters[partner]
        )
    for mission in ("first", "second"):
        assert summary(disagreements(mission=clusters[mission])) == reference(
            mission=clusters[mission]
        )
    both = {"partner": clusters["zeta"], "mission": clusters["second"]}
    assert summary(disagreements(**both)) == reference(**both)


def test_pages_and_chunks_give_the_same_clusters(clusters):
    found = Disagreements()
    assert found.count() == len(found) == 8
    pages = [d for offset in range(0, 8, 3) for d in found[offset : offset + 3]]
    assert summary(pages) == reference()
    assert found[8:12] == [] and summary([found[4]]) == reference()[4:5]
    with pytest.raises(IndexError):
        found[8]
    small = Disagreements()
    small.chunk_size = 3  # clusters run across chunks
    assert summary(small) == reference()


def test_csv_has_every_figure_of_every_cluster_in_order(clusters):
    Disagreements.chunk_size, before = 3, Disagreements.chunk_size
    try:
        rows = read_csv(APIClient().get("/api/v1/reconcile/?format=csv"))
    finally:
        Disagreements.chunk_size = before
    model = kinds.model("figures")
    expected = [
        (partner.iso3, mission.slug, model.objects.get(pk=pk).as_of_iso, str(high - low), rel)
        for partner, mission, pks, low, high, rel in reference()
        for pk in pks
    ]
    assert [
        (r["partner"], r["mission"], r["as_of"], r["spread"], float(r["relative_spread"]))
        for r in rows
    ] == expected


def plant(n: int):
    with without_history():
        for i in range(n):
            contribution = ContributionFactory()
            figure(contribution, D(2011, 1, 1) + dt.timedelta(days=100 * i), 1 + i)
            figure(contribution, D(2011, 1, 2) + dt.timedelta(days=100 * i), 1000)


def test_a_page_costs_the_same_queries_with_3_or_60_clusters():
    api = APIClient()
    plant(3)
    few, response = count_queries(api, "/api/v1/reconcile/?page_size=2")
    assert response.json()["count"] == 3
    plant(57)
    many, response = count_queries(api, "/api/v1/reconcile/?page_size=2&page=5")
    assert response.json()["count"] == 60 and len(response.json()["results"]) == 2
    # The count, the page's rows (clusters and their figures' ids), the figures with their
    # contributions, their partners, missions and sources.
    assert few == many == 6


def test_page_parameters():
    plant(3)
    api = APIClient()
    first = api.get("/api/v1/reconcile/?page_size=2").json()
    assert (first["count"], len(first["results"]), first["window_days"]) == (3, 2, 31)
    assert first["previous"] is None and "page=2" in first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    assert "page_size=2" in second["previous"]
    assert len(api.get("/api/v1/reconcile/").json()["results"]) == 3  # 50 a page
    for bad in ("page_size=0", "page_size=501", "page_size=x", "page=0", "page=1.5"):
        response = api.get(f"/api/v1/reconcile/?{bad}")
        assert response.status_code == 400, bad
        assert bad.split("=")[0] in response.json()
    assert api.get("/api/v1/reconcile/?page=3&page_size=2").status_code == 404
    assert api.get("/api/v1/reconcile/?size=2").status_code == 400
    # The CSV is every cluster, whatever the page.
    assert len(read_csv(api.get("/api/v1/reconcile/?format=csv&page_size=1"))) == 6


def test_the_page_lists_a_page_of_clusters(client):
    plant(30)
    response = client.get("/reconcile/", {"page": 2})
    page = response.context["page"]
    assert page.paginator.count == 30 and len(page) == 5  # 25 a page
    assert "30 disagreements" in response.content.decode()
