"""Soak: N concurrent clients for D seconds against gunicorn (production settings, loopback
only), with a stream of curator writes alongside. Fails unless there were zero errors and
zero lost writes.

    python scripts/soak.py --clients 50 --seconds 60

Uses its own database (kb_soak) on the PostgreSQL named by SOAK_DATABASE_URL (default: the
local server), created afresh and dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.servers import Gunicorn, get, manage, production_env, send  # noqa: E402

READS = [
    "/api/v1/partners/",
    "/api/v1/partners/?framework=partnership-for-peace&as_of=2010-01-01",
    "/api/v1/partners/GEO/",
    "/api/v1/partners/geo/timeline/",
    "/api/v1/participations/?framework=mediterranean-dialogue",
    "/api/v1/contributions/?mission=kfor",
    "/api/v1/figures/?mission=isaf",
    "/api/v1/matrix/frameworks/?as_of=2015-01-01",
    "/api/v1/matrix/missions/",
    "/api/v1/milestones/?partner=UKR",
    "/api/v1/sources/?kind=official",
    "/api/v1/partners/?format=csv",
    "/",
    "/partners/",
    "/partners/fin/",
    "/frameworks/partnership-for-peace/",
    "/missions/isaf/",
    "/matrix/frameworks/",
]


def percentile(values, pct):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * pct / 100))]


def admin_database(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(path="/postgres").geturl()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    import psycopg

    server = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database_url = urlsplit(server)._replace(path="/kb_soak").geturl()
    with psycopg.connect(admin_database(server), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kb_soak WITH (FORCE)")
        conn.execute("CREATE DATABASE kb_soak")
    env = production_env(
        database_url,
        STATIC_ROOT=tempfile.mkdtemp(prefix="kb-soak-static-"),
        API_ANON_RATE="100000000/minute",
        AXES_FAILURE_LIMIT="1000",
    )
    print("preparing: migrate, collectstatic, load the curated data", flush=True)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    manage(env, "load_knowledge")
    token = (
        manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import Group, User;"
            "from partnerships.tokens import ApiToken;"
            "u = User.objects.create_user("
            "'soak-curator', password='soak-password-123', is_staff=True);"
            "u.groups.add(Group.objects.get(name='Curators'));"
            "print(ApiToken.issue(u)[1])",
        )
        .stdout.strip()
        .splitlines()[-1]
    )

    app = Gunicorn(env, workers=args.workers, threads=2).start()
    stop_at = time.monotonic() + args.seconds
    statuses: Counter = Counter()
    latencies: list[float] = []
    failures: list[str] = []
    written: list[int] = []
    lock = threading.Lock()

    def reader(seed: int):
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            path = rng.choice(READS)
            began = time.perf_counter()
            try:
                status = get(app.base + path)[0]
            except OSError as exc:
                status = f"{type(exc).__name__}"
            elapsed = time.perf_counter() - began
            with lock:
                statuses[status] += 1
                latencies.append(elapsed)
                if status != 200:
                    failures.append(f"GET {path}: {status}")

    def writer():
        headers = {"Authorization": f"Token {token}"}
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            payload = {
                "partner": "GEO",
                "date": "2026-11",
                "kind": "other",
                "title": f"Soak write {n}",
                "sources": ["core-nato-enlargement-topic"],
            }
            status, body = send(app.base + "/api/v1/milestones/", "POST", payload, headers)
            with lock:
                statuses[f"write {status}"] += 1
                if status == 201:
                    written.append(n)
                else:
                    failures.append(f"POST milestone {n}: {status} {body[:200]!r}")

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(args.clients)]
    threads.append(threading.Thread(target=writer))
    print(f"loading: {args.clients} clients and 1 curator writer for {args.seconds:.0f} s")
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = time.monotonic() - began

    status, _, body = get(app.base + "/api/v1/milestones/?partner=GEO&q=Soak%20write&page_size=500")
    import json

    found = set()
    page = json.loads(body)
    while True:
        found |= {int(r["title"].split()[-1]) for r in page["results"]}
        if not page["next"]:
            break
        page = json.loads(get(page["next"])[2])
    lost = sorted(set(written) - found)
    app.stop()
    with psycopg.connect(admin_database(server), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kb_soak WITH (FORCE)")

    reads = sum(v for k, v in statuses.items() if not str(k).startswith("write"))
    errors = len(failures)
    print(f"duration          {duration:.1f} s")
    print(f"reads             {reads} ({reads / duration:.0f}/s)")
    print(
        f"latency           p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.0f} ms, "
        f"mean {statistics.mean(latencies) * 1000:.0f} ms"
    )
    print(f"writes            {len(written)} accepted, {len(lost)} lost")
    print(f"errors            {errors}")
    print(f"statuses          {dict(statuses)}")
    for line in failures[:20]:
        print("  ", line)
    return 0 if errors == 0 and not lost and written else 1


if __name__ == "__main__":
    raise SystemExit(main())
