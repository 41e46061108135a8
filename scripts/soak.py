"""Soak: `make serve`'s gunicorn (gunicorn.conf.py, production settings, throttles on) under
N concurrent readers for D seconds with a stream of curator writes alongside, then an abuse
phase: clients hammering the expensive endpoints and slow clients holding connections,
while a cheap probe measures latency every 100 ms. Loopback only.

    python scripts/soak.py --clients 50 --seconds 60 --abuse-seconds 30

Normal phase: most readers come through the proxy (127.0.0.1, trusted by default) with
``X-Forwarded-For`` spread over many client addresses, as production behind the documented
proxy; a few readers are single heavy clients that the anonymous throttle slows down. A 429
with ``Retry-After`` is the throttle doing its job: counted apart, not an error.

Abuse phase: ``--attackers`` threads from three addresses fetch CSV exports of everything,
the matrices, reconciliation, search and compare pages in a loop; ``--slow-bodies``
connections send a POST body one byte every 2 s and ``--slow-headers`` send their headers
one line every 2 s; a probe asks ``/healthz`` and ``/api/v1/frameworks/`` every 100 ms.

Fails on any error in the normal phase (a status other than 200, 304 and the throttle's
429), a lost or refused write, any probe error, or a probe p99 of ``--probe-p99`` seconds
(1) or more during the abuse phase.

``--app-dir`` serves another checkout (e.g. an older commit, to measure before and after):
its gunicorn.conf.py, or, where it has none, gunicorn as its ``make serve`` then ran it
(4 sync workers). Uses its own database (kb_soak) on the PostgreSQL named by
SOAK_DATABASE_URL (default: the local server), created afresh and dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.ops.servers import Gunicorn, get, production_env, send  # noqa: E402

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

# What an attacker asks for: the dearest answers there are.
EXPENSIVE = [
    "/api/v1/figures/?format=csv",
    "/api/v1/contributions/?format=csv",
    "/api/v1/participations/?format=csv",
    "/api/v1/reconcile/",
    "/api/v1/reconcile/?format=csv",
    "/api/v1/matrix/missions/",
    "/api/v1/search/?q=peace",
    "/matrix/frameworks/",
    "/matrix/missions/",
    "/reconcile/",
    "/search/?q=georgia",
    "/compare/?partners=ukr&partners=geo&partners=bih&partners=fin&partners=swe",
]

PROBES = ["/healthz", "/api/v1/frameworks/"]
ATTACKER_ADDRESSES = ["198.51.100.7", "198.51.100.8", "198.51.100.9"]
OK = {200, 304}


def spread_address(rng: random.Random) -> str:
    """One of 65,536 client addresses (10.77.0.0/16): many visitors behind the proxy."""
    return f"10.77.{rng.randrange(256)}.{rng.randrange(256)}"


def percentile(values, pct):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * pct / 100))]


def ms(values, pct) -> str:
    return f"{percentile(values, pct) * 1000:.0f}"


def admin_database(url: str) -> str:
    return urlsplit(url)._replace(path="/postgres").geturl()


def is_throttled(status, headers) -> bool:
    return status == 429 and any(k.lower() == "retry-after" for k in headers)


class Server(Gunicorn):
    """gunicorn as ``make serve`` runs it, for the checkout in ``app_dir``."""

    stop_timeout = 40  # the drain of gunicorn.conf.py's graceful timeout

    def __init__(self, app_dir: Path, env: dict):
        super().__init__(env)
        self.env = {**env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        if (app_dir / "gunicorn.conf.py").exists():
            args = ["--config", "gunicorn.conf.py"]
        else:  # before gunicorn.conf.py: `make serve` ran sync workers with these options
            args = ["partnerships.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers",
                    self.env.get("WORKERS", "4"), "--forwarded-allow-ips",
                    self.env.get("FORWARDED_ALLOW_IPS", "127.0.0.1")]  # fmt: skip
        self.command = [sys.executable, "-m", "gunicorn", *args]
        self.cwd = app_dir


def manage(app_dir: Path, env: dict, *args) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=app_dir, env=env, check=True,
        capture_output=True, text=True, timeout=900,
    ).stdout  # fmt: skip


# A curator with a token; the token model differs before and after hashed tokens.
CURATOR = """
from django.contrib.auth.models import Group, User
u = User.objects.create_user('soak-curator', password='soak-password-123', is_staff=True)
u.groups.add(Group.objects.get(name='Curators'))
try:
    from partnerships.tokens import ApiToken
    print(ApiToken.issue(u)[1])
except ImportError:
    from rest_framework.authtoken.models import Token
    print(Token.objects.create(user=u).key)
"""


class Tally:
    """Statuses and latencies of one kind of client, shared by its threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.latencies: list[float] = []  # answers that were not the throttle's
        self.failures: list[str] = []
        self.throttled = 0

    def add(self, what: str, status, headers, elapsed: float, body=b"", expected=OK):
        with self.lock:
            self.statuses[status] += 1
            if is_throttled(status, headers):
                self.throttled += 1
                return
            self.latencies.append(elapsed)
            if status not in expected:
                said = body[:120].decode(errors="replace") if isinstance(body, bytes) else ""
                self.failures.append(f"{what}: {status} after {elapsed:.1f} s {said}".rstrip())


def fetch(base: str, path: str, address: str | None, timeout: float = 30):
    headers = {"X-Forwarded-For": address} if address else {}
    began = time.perf_counter()
    try:
        status, answer_headers, body = get(base + path, headers=headers, timeout=timeout)
    except OSError as exc:  # includes timeouts
        status, answer_headers, body = type(exc).__name__, {}, b""
    return status, answer_headers, time.perf_counter() - began, body


def slow_client(port: int, stop_at: float, body: bool, held: Counter, lock):
    """Send a request a byte (a body) or a line (headers) every 2 s until ``stop_at``;
    reconnect when the server hangs up."""
    while time.monotonic() < stop_at:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                if body:
                    sock.sendall(
                        b"POST /api/v1/milestones/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
                    )
                else:
                    sock.sendall(b"GET /api/v1/partners/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                with lock:
                    held["connections"] += 1
                n = 0
                while time.monotonic() < stop_at:
                    time.sleep(2)
                    n += 1
                    sock.sendall(b"x" if body else f"X-Slow-{n}: {n}\r\n".encode())
        except OSError:
            with lock:
                held["dropped by the server"] += 1
            time.sleep(0.5)


def run_phase(threads: list[threading.Thread]) -> float:
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - began


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--abuse-seconds", type=float, default=30, help="0: no abuse phase")
    parser.add_argument("--heavy-share", type=float, default=0.1,
                        help="readers that are one heavy client each")  # fmt: skip
    parser.add_argument("--attackers", type=int, default=8)
    parser.add_argument("--slow-bodies", type=int, default=8)
    parser.add_argument("--slow-headers", type=int, default=4)
    parser.add_argument("--probe-p99", type=float, default=1.0)
    parser.add_argument("--app-dir", type=Path, default=ROOT)
    args = parser.parse_args()
    app_dir = args.app_dir.resolve()

    import psycopg

    server = os.environ.get("SOAK_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    database_url = urlsplit(server)._replace(path="/kb_soak").geturl()
    with psycopg.connect(admin_database(server), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kb_soak WITH (FORCE)")
        conn.execute("CREATE DATABASE kb_soak")
    # Production settings: the throttles and the lockout at their defaults.
    env = production_env(
        database_url,
        STATIC_ROOT=tempfile.mkdtemp(prefix="kb-soak-static-"),
        THROTTLE_CACHE_DIR=tempfile.mkdtemp(prefix="kb-soak-throttle-"),
    )
    for name in ("API_ANON_RATE", "API_EXPENSIVE_RATE", "PAGE_EXPENSIVE_RATE",
                 "AXES_FAILURE_LIMIT", "DB_STATEMENT_TIMEOUT"):  # fmt: skip
        env.pop(name, None)
    print(f"preparing {app_dir}: migrate, collectstatic, load the curated data", flush=True)
    manage(app_dir, env, "migrate", "--noinput")
    manage(app_dir, env, "collectstatic", "--noinput")
    manage(app_dir, env, "load_knowledge")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ANALYZE")  # statistics, as a database in service has them
    token = manage(app_dir, env, "shell", "-c", CURATOR).strip().splitlines()[-1]

    app = Server(app_dir, env).start()
    print("serving:", " ".join(app.command[2:]), flush=True)
    readers, writes, probe = Tally(), Tally(), Tally()
    probe_phase: dict[str, list[float]] = {"normal": [], "abuse": []}
    phase = {"name": "normal"}
    written: list[int] = []
    stop_at = time.monotonic() + args.seconds
    heavy = round(args.clients * args.heavy_share)

    def reader(i: int):
        rng = random.Random(i)
        own = f"203.0.113.{i % 250 + 1}"  # a heavy client: one address for all its requests
        while time.monotonic() < stop_at:
            path = rng.choice(READS)
            address = own if i < heavy else spread_address(rng)
            readers.add(f"GET {path}", *fetch(app.base, path, address))

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
            began = time.perf_counter()
            status, body = send(app.base + "/api/v1/milestones/", "POST", payload, headers)
            writes.add(f"POST milestone {n}", status, {}, time.perf_counter() - began, body,
                       expected={201})  # fmt: skip
            if status == 201:
                written.append(n)

    probing = {"until": float("inf")}

    def prober():
        rng = random.Random(-1)
        n = 0
        while time.monotonic() < probing["until"]:
            path = PROBES[n % len(PROBES)]
            n += 1
            status, headers, elapsed, body = fetch(app.base, path, spread_address(rng), timeout=10)
            probe.add(f"{phase['name']} GET {path}", status, headers, elapsed, body)
            if is_throttled(status, headers):  # a probe must never be throttled
                with probe.lock:
                    probe.failures.append(f"{phase['name']} GET {path}: 429")
            probe_phase[phase["name"]].append(elapsed)
            time.sleep(max(0.0, 0.1 - elapsed))

    probe_thread = threading.Thread(target=prober)
    probe_thread.start()
    threads = [threading.Thread(target=reader, args=(i,)) for i in range(args.clients)]
    threads.append(threading.Thread(target=writer))
    print(f"normal phase: {args.clients} readers ({heavy} heavy single clients, the rest "
          f"spread over many addresses) and 1 curator writer for {args.seconds:.0f} s",
          flush=True)  # fmt: skip
    duration = run_phase(threads)
    normal_probe_failures = len(probe.failures)

    attackers, held, held_lock = Tally(), Counter(), threading.Lock()
    if args.abuse_seconds > 0:
        phase["name"] = "abuse"
        stop_at = time.monotonic() + args.abuse_seconds

        def attacker(i: int):
            rng = random.Random(1000 + i)
            address = ATTACKER_ADDRESSES[i % len(ATTACKER_ADDRESSES)]
            while time.monotonic() < stop_at:
                path = rng.choice(EXPENSIVE)
                attackers.add(f"GET {path}", *fetch(app.base, path, address, timeout=60))

        threads = [threading.Thread(target=attacker, args=(i,)) for i in range(args.attackers)]
        threads += [
            threading.Thread(target=slow_client, args=(app.port, stop_at, body, held, held_lock))
            for body in [True] * args.slow_bodies + [False] * args.slow_headers
        ]
        print(f"abuse phase: {args.attackers} attackers from {len(ATTACKER_ADDRESSES)} "
              f"addresses on the expensive endpoints, {args.slow_bodies} slow bodies and "
              f"{args.slow_headers} slow headers, for {args.abuse_seconds:.0f} s; probe "
              f"every 100 ms", flush=True)  # fmt: skip
        abuse_duration = run_phase(threads)
    probing["until"] = 0
    probe_thread.join()

    status, _, body = get(app.base + "/api/v1/milestones/?partner=GEO&q=Soak%20write&page_size=500",
                          headers={"Authorization": f"Token {token}"})  # fmt: skip
    found = set()
    page = json.loads(body)
    while True:
        found |= {int(r["title"].split()[-1]) for r in page["results"]}
        if not page["next"]:
            break
        page = json.loads(get(page["next"], headers={"Authorization": f"Token {token}"})[2])
    lost = sorted(set(written) - found)
    app.stop()
    with psycopg.connect(admin_database(server), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS kb_soak WITH (FORCE)")

    reads = sum(readers.statuses.values())
    served = readers.latencies
    print("\n== normal phase")
    print(f"duration          {duration:.1f} s")
    print(f"reads             {reads} ({reads / duration:.0f}/s); answered {len(served)} "
          f"({len(served) / duration:.0f}/s), throttled (429) {readers.throttled}")  # fmt: skip
    if served:
        print(f"latency           p50 {ms(served, 50)} ms, p95 {ms(served, 95)} ms, "
              f"p99 {ms(served, 99)} ms, mean {statistics.mean(served) * 1000:.0f} ms "
              "(answers that were not the throttle's)")  # fmt: skip
    print(f"statuses          {dict(readers.statuses)}")
    print(f"writes            {len(written)} accepted, {len(lost)} lost, "
          f"statuses {dict(writes.statuses)}")  # fmt: skip
    print(
        f"probe             p50 {ms(probe_phase['normal'], 50)} ms, "
        f"p99 {ms(probe_phase['normal'], 99)} ms ({len(probe_phase['normal'])} probes)"
    )
    normal_failures = readers.failures + writes.failures + probe.failures[:normal_probe_failures]
    errors = len(normal_failures)
    print(f"errors            {errors}")
    for line in normal_failures[:20]:
        print("  ", line)
    failed = bool(errors or lost or not written)

    if args.abuse_seconds > 0:
        timings = probe_phase["abuse"]
        probe_errors = probe.failures[normal_probe_failures:]
        p99 = percentile(timings, 99)
        print("\n== abuse phase")
        print(f"duration          {abuse_duration:.1f} s")
        print(f"attackers         {sum(attackers.statuses.values())} requests, "
              f"statuses {dict(attackers.statuses)}")  # fmt: skip
        print(f"slow clients      {dict(held)}")
        print(
            f"probe             p50 {ms(timings, 50)} ms, p99 {ms(timings, 99)} ms, "
            f"max {ms(timings, 100)} ms ({len(timings)} probes), errors {len(probe_errors)}"
        )
        for line in probe_errors[:10]:
            print("  ", line)
        if probe_errors or p99 >= args.probe_p99:
            print(f"FAIL: the probe's p99 must stay under {args.probe_p99:.1f} s with no error")
            failed = True
    print("\nresult            " + ("FAIL" if failed else "pass"))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
