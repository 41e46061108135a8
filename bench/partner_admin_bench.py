"""Queries and time of the admin's partner change page, at curated and at synthetic size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_admin_bench SECRET_KEY=x \\
        python bench/partner_admin_bench.py 150 1400

Uses its own database (migrated here, its facts replaced by the curated files). Measures
the change page of Ukraine (the curated partner with the most rows), then of a partner
given N contributions (copies of Ukraine's, each in its own copy of a mission, with the
same sources and roles) for each N given. Each page is asked three times after one warm
request, as a logged-in superuser through Django's test client; prints the queries and the
median time. Written only with the ORM's generic calls so that it runs on older trees too.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from missions.models import Contribution, Mission  # noqa: E402
from partnerships.models import Partner  # noqa: E402

settings.ALLOWED_HOSTS = ["*"]
# Static URLs without a collected manifest (the page's own work is what is measured).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


def measure(client: Client, partner: Partner) -> tuple[int, float]:
    url = reverse("admin:partnerships_partner_change", args=[partner.pk])
    client.get(url, secure=True)
    times, counted = [], []

    def count(execute, sql, params, many, context):
        counted.append(1)
        return execute(sql, params, many, context)

    for _ in range(3):
        counted.clear()
        with connection.execute_wrapper(count):
            began = time.perf_counter()
            response = client.get(url, secure=True)
            times.append(time.perf_counter() - began)
        assert response.status_code == 200, response.status_code
    return len(counted), statistics.median(times)


def partner_with(n: int, model: Partner) -> Partner:
    """A copy of ``model`` with ``n`` contributions copied from its own, each in a fresh
    copy of that contribution's mission (one contribution per partner and mission)."""
    originals = list(Contribution.objects.filter(partner=model).select_related("mission"))
    partner = Partner.objects.get(pk=model.pk)
    partner.pk = None
    partner.iso3 = "ZZZ"
    partner.name = f"Bench partner {n}"
    if hasattr(partner, "country"):
        partner.country = "XZ"  # a user-assigned code: no real country's
    if hasattr(partner, "slug"):
        partner.slug = f"bench-{n}"
    partner.save()
    for i in range(n):
        original = originals[i % len(originals)]
        mission = Mission.objects.get(pk=original.mission_id)
        mission.pk = None
        mission.slug = f"bench-{n}-{i}"
        mission.name = f"Bench mission {n}-{i}"
        mission.save()
        copy = Contribution.objects.get(pk=original.pk)
        copy.pk = None
        copy.partner, copy.mission = partner, mission
        copy.save()
        copy.sources.set(original.sources.all())
        if hasattr(copy, "roles"):
            copy.roles.set(original.roles.all())
    return partner


def main(sizes: list[int]) -> None:
    call_command("migrate", verbosity=0)
    call_command("load_knowledge", verbosity=0)
    Partner.objects.filter(iso3="ZZZ").delete()
    Mission.objects.filter(slug__startswith="bench-").delete()
    user = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", "bench@example.org", "bench-password-123"
    )
    client = Client()
    client.force_login(user)
    ukraine = Partner.objects.get(iso3="UKR")
    rows = Contribution.objects.filter(partner=ukraine).count()
    queries, seconds = measure(client, ukraine)
    print(f"Ukraine ({rows} contributions)     {queries:5d} queries  {seconds:6.2f} s", flush=True)
    for n in sizes:
        partner = partner_with(n, ukraine)
        queries, seconds = measure(client, partner)
        print(f"{n:5d} contributions            {queries:5d} queries  {seconds:6.2f} s", flush=True)
        Partner.objects.filter(pk=partner.pk).delete()
        Mission.objects.filter(slug__startswith="bench-").delete()


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [150])
