"""Time the bulk CSV import (preview and commit) at a given number of rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_import_bench SECRET_KEY=x \\
        python bench/import_bench.py 2000 20000

Uses its own database (migrated here; its facts are replaced): 100 partners, 200 missions,
20 sources, the roles. For each size it generates a CSV of new contributions (one per
partner and mission) and one of new figures (ten monthly figures per contribution), then
times a preview and a commit of each through ``run_import``, with the queries counted, and
finally a re-import of the exported contributions with one field changed on every row (all
updates). Prints one line per step: wall seconds, the CPU seconds of this process and of
the database server's process (read from /proc when PostgreSQL runs on this machine: they
do not depend on the neighbours, the wall time does), the queries, the rows' actions.
"""

import csv
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_countries import countries  # noqa: E402

from missions.models import Contribution, ContributionFigure, Mission, Role  # noqa: E402
from partnerships.models import Partner, Region, Source  # noqa: E402
from partnerships.provenance.bulk_import import run_import  # noqa: E402

PARTNERS, MISSIONS, SOURCES = 100, 200, 20


def setup() -> None:
    call_command("migrate", verbosity=0)
    ContributionFigure.objects.all().delete()
    Contribution.objects.all().delete()
    if Partner.objects.count() < PARTNERS:
        source = Source.objects.get_or_create(
            key="bench-source-0",
            defaults={"title": "Bench 0", "publisher": "NATO", "tier": "official"},
        )[0]
        codes = sorted(c for c in (countries.alpha3(code) for code, _ in countries) if c)
        for iso3 in codes[:PARTNERS]:
            partner, _ = Partner.objects.get_or_create(
                iso3=iso3, defaults={"name": f"Partner {iso3}", "region": Region.EUROPE}
            )
            partner.sources.add(source)
    for n in range(SOURCES):
        Source.objects.get_or_create(
            key=f"bench-source-{n}",
            defaults={"title": f"Bench {n}", "publisher": "NATO", "tier": "official"},
        )
    for n in range(MISSIONS):
        mission, made = Mission.objects.get_or_create(
            slug=f"bench-mission-{n}",
            defaults={
                "name": f"Bench mission {n}",
                "kind": Mission.Kind.TRAINING,
                "region": Region.EUROPE,
                "start": dt.date(1995, 1, 1),
                "start_precision": "year",
            },
        )
        if made:
            mission.sources.add(Source.objects.get(key="bench-source-0"))
    Role.objects.get_or_create(slug="troops", defaults={"name": "Troops"})


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def contribution_rows(count: int) -> list[dict]:
    partners = list(Partner.objects.order_by("iso3").values_list("iso3", flat=True)[:PARTNERS])
    missions = list(
        Mission.objects.filter(slug__startswith="bench-").values_list("slug", flat=True)
    )
    pairs = [(p, m) for m in missions for p in partners][:count]
    if len(pairs) < count:
        raise SystemExit(f"At most {len(pairs)} contributions.")
    return [
        {
            "partner": partner,
            "mission": mission,
            "start": f"{2000 + n % 10}-{1 + n % 12:02d}",
            "end": "",
            "roles": "troops",
            "description": f"Contribution {n}",
            "sources": f"bench-source-{n % SOURCES}",
        }
        for n, (partner, mission) in enumerate(pairs)
    ]


def figure_rows(count: int) -> list[dict]:
    ids = list(Contribution.objects.order_by("pk").values_list("pk", flat=True)[: count // 10])
    return [
        {
            "contribution": ids[n // 10],
            "as_of": f"{2011 + (n % 10) // 12}-{1 + n % 10:02d}",
            "personnel": 100 + n % 50,
            "measure": "snapshot",
            "estimate": "false",
            "source": f"bench-source-{n % SOURCES}",
        }
        for n in range(count)
    ]


def database_cpu() -> float | None:
    """CPU seconds the database server's process for this connection has used, when it
    runs on this machine (read from /proc); None otherwise."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(kind: str, text: str, commit: bool, label: str, reason: str = "") -> None:
    """One import, timed: wall seconds, and the CPU seconds of this process and of the
    database's, which do not depend on what else runs on the machine."""
    database_before = database_cpu()
    with CaptureQueriesContext(connection) as queries:
        began, cpu = time.perf_counter(), time.process_time()
        kwargs = {"reason": reason} if reason else {}
        result = run_import(kind, text, commit=commit, **kwargs)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    database_after = database_cpu()
    database = (
        f"{database_after - database_before:6.2f}"
        if database_before is not None and database_after is not None
        else "   n/a"
    )
    summary = {a: result.count(a) for a in ("create", "update", "unchanged", "error")}
    print(
        f"{label:<34} {seconds:7.2f} s  cpu app {cpu:6.2f} s  db {database} s  "
        f"{len(queries.captured_queries):7d} queries  {summary}",
        flush=True,
    )
    if result.errors:
        print("   first errors:", [(r.line, r.errors) for r in result.errors[:3]], flush=True)


def main(sizes: list[int]) -> None:
    setup()
    for size in sizes:
        ContributionFigure.objects.all().delete()
        Contribution.objects.all().delete()
        text = as_csv(contribution_rows(size))
        timed("contributions", text, False, f"{size} contributions, preview")
        timed("contributions", text, True, f"{size} contributions, commit")
        figures = as_csv(figure_rows(size))
        timed("figures", figures, False, f"{size} figures, preview")
        timed("figures", figures, True, f"{size} figures, commit")
        rows = contribution_rows(size)
        for row in rows:
            row["description"] += " (revised)"
        timed("contributions", as_csv(rows), True, f"{size} contributions, all updated", "bench")


if __name__ == "__main__":
    main([int(n) for n in sys.argv[1:]] or [2000])
