"""The benchmark: the app vs the raw-psycopg floor vs Datasette, at a million figures.

Run by ``bench/run.sh`` (``make bench``) with the bench virtualenv. Steps:

1. a PostgreSQL database (``BENCH_DATABASE_URL``, default kb_bench): migrate, load the
   curated data, generate the synthetic data (reused when already there at the size asked),
   collect static files (production storage), export it all to SQLite for Datasette;
2. serve the app (gunicorn, production settings), the floor (``floor_app.py``, same
   gunicorn settings) and Datasette on three loopback ports;
3. load each endpoint with wrk at a fixed concurrency and duration (after a warm-up),
   sampling the workers' memory; then stream the one-million-figure CSV from each;
4. count SQL queries per request (``count_queries.py``, Django's test client);
5. write ``bench/results/<timestamp>/`` (raw JSON, wrk output, the table) and exit non-zero
   if any endpoint answered an error.

Everything listens on 127.0.0.1 and everything started is stopped at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
APP_PY = Path(os.environ.get("APP_PYTHON", ROOT / ".venv/bin/python"))
APP_GUNICORN = APP_PY.parent / "gunicorn"
BENCH_BIN = Path(sys.executable).parent

DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kb_bench")
SIZES = {
    "partners": int(os.environ.get("BENCH_PARTNERS", 200)),
    "missions": int(os.environ.get("BENCH_MISSIONS", 2000)),
    "contributions": int(os.environ.get("BENCH_CONTRIBUTIONS", 100_000)),
    "figures": int(os.environ.get("BENCH_FIGURES", 1_000_000)),
}
SEED = int(os.environ.get("BENCH_SEED", 42))
DURATION = int(os.environ.get("BENCH_DURATION", 15))
WARMUP = int(os.environ.get("BENCH_WARMUP", 3))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 4))
THREADS = int(os.environ.get("BENCH_WRK_THREADS", 2))
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
ONLY = [s for s in os.environ.get("BENCH_ONLY", "").split(",") if s]
# An endpoint whose first request takes longer than this is timed sequentially instead.
SLOW_MS = int(os.environ.get("BENCH_SLOW_MS", 2000))
SLOW_REQUESTS = int(os.environ.get("BENCH_SLOW_REQUESTS", 3))
PORTS = {"app": 8101, "floor": 8102, "datasette": 8103, "cached": 8104, "revalidated": 8101}
HOST = "127.0.0.1"
# Production runs HTTPS_ONLY behind a TLS proxy that says so; the load says the same.
HEADERS = {"X-Forwarded-Proto": "https"}

APP_ENV = {
    **os.environ,
    "DATABASE_URL": DB_URL,
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-not-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    # The load is anonymous: the throttles are off (a huge rate instead would make DRF's
    # per-client history of request times, read and written on every request, grow without
    # bound; at the documented rates it holds at most 120 entries).
    "API_ANON_RATE": "off",
    "API_EXPENSIVE_RATE": "off",
    "PAGE_EXPENSIVE_RATE": "off",
    "LOG_LEVEL": "WARNING",
    # The uncached column: every request reaches the view (ETag and 304 still answered).
    "RESPONSE_CACHE": "0",
}
APP_ENV.pop("REDIS_URL", None)
# The cached column: the same app with its response cache (in-process, per worker).
CACHED_ENV = {**APP_ENV, "RESPONSE_CACHE": "1"}

processes: list[subprocess.Popen] = []


# -- processes --------------------------------------------------------------------------------


def say(text: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {text}", flush=True)


def run(args: list, env=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], env=env or APP_ENV, check=True, **kwargs)


def start(name: str, args: list, env=None, log: Path | None = None) -> subprocess.Popen:
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [str(a) for a in args],
        env=env or APP_ENV,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    proc.name = name
    processes.append(proc)
    return proc


def stop_all(*_args) -> None:
    for proc in processes:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.time() + 10
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    processes.clear()


def wait_ready(port: int, path: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", path, headers=HEADERS)
            if conn.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"nothing answers on {HOST}:{port}{path} after {timeout} s")


def fresh_workers(proc: subprocess.Popen, timeout: float = 60) -> None:
    """Restart a gunicorn's workers (HUP), so each endpoint's peak memory is its own."""
    old = set(children(proc.pid))
    os.kill(proc.pid, signal.SIGHUP)
    deadline = time.time() + timeout
    while time.time() < deadline:
        now = set(children(proc.pid))
        if len(now) == WORKERS and not now & old:
            time.sleep(0.5)  # let the new workers import the app
            return
        time.sleep(0.1)
    raise SystemExit(f"gunicorn {proc.pid} did not restart its workers in {timeout} s")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cpu_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Peak VmRSS (MB) of a server's workers (gunicorn's children, or the process itself)."""

    def __init__(self, proc: subprocess.Popen, interval: float = 0.05):
        super().__init__(daemon=True)
        self.proc, self.interval = proc, interval
        self.peak_kb, self.running = 0, True
        self.first_ticks: dict[int, int] = {}
        self.last_ticks: dict[int, int] = {}

    def pids(self) -> list[int]:
        return children(self.proc.pid) or [self.proc.pid]

    def run(self):
        while self.running:
            for pid in self.pids():
                self.peak_kb = max(self.peak_kb, status_kb(pid, "VmRSS"))
                ticks = cpu_ticks(pid)
                if ticks is not None:
                    self.first_ticks.setdefault(pid, ticks)
                    self.last_ticks[pid] = ticks
            time.sleep(self.interval)

    def cpu_seconds(self) -> float:
        """CPU time the workers spent while sampled (user + system)."""
        ticks = sum(self.last_ticks[p] - self.first_ticks[p] for p in self.last_ticks)
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> float:
        self.running = False
        self.join()
        return round(self.peak_kb / 1024, 1)

    def hwm_mb(self) -> float:
        return round(max((status_kb(p, "VmHWM") for p in self.pids()), default=0) / 1024, 1)


# -- data -------------------------------------------------------------------------------------


def prepare_database(results: Path) -> dict:
    parsed = urlparse(DB_URL)
    name = parsed.path.lstrip("/")
    admin = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and os.environ.get("BENCH_FRESH") == "1":
            say(f"dropping database {name} (BENCH_FRESH=1)")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            say(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')
    say("migrate, load the curated data")
    run([APP_PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT)
    run([APP_PY, "manage.py", "load_knowledge"], cwd=ROOT, stdout=subprocess.DEVNULL)
    counts = synthetic_counts()
    timing = {"generate_seconds": None}
    if counts != SIZES:
        say(f"synthetic data {counts} != {SIZES}: generating (seed {SEED})")
        started = time.perf_counter()
        args = [f"--{k}={v}" for k, v in SIZES.items()]
        run(
            [APP_PY, "manage.py", "generate_synthetic", "--clear", f"--seed={SEED}", *args],
            cwd=ROOT,
        )
        timing["generate_seconds"] = round(time.perf_counter() - started, 1)
    else:
        say(f"synthetic data present: {counts}")
    say("collectstatic (production storage)")
    run([APP_PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT)
    sqlite = BENCH / "results" / "kb.sqlite"
    stamp = BENCH / "results" / "kb.sqlite.stamp"
    wanted = json.dumps({"db": DB_URL, "sizes": SIZES, "seed": SEED, "rows": table_sizes()})
    if not sqlite.exists() or not stamp.exists() or stamp.read_text() != wanted:
        say("exporting to SQLite for Datasette")
        started = time.perf_counter()
        run([sys.executable, BENCH / "export_sqlite.py", DB_URL, sqlite], cwd=ROOT)
        stamp.write_text(wanted)
        timing["export_seconds"] = round(time.perf_counter() - started, 1)
    return timing


def synthetic_counts() -> dict:
    code = (
        "import json; from missions.management.commands.generate_synthetic import "
        "synthetic_counts; print(json.dumps(synthetic_counts()))"
    )
    out = run([APP_PY, "manage.py", "shell", "-c", code], cwd=ROOT, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def table_sizes() -> dict:
    with psycopg.connect(DB_URL) as conn:
        return {
            t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in (
                "partnerships_partner",
                "missions_mission",
                "missions_contribution",
                "missions_contributionfigure",
            )
        }


def pick_parameters() -> dict:
    """The rows each endpoint asks for, chosen from the data (the heavy, realistic cases)."""
    with psycopg.connect(DB_URL) as conn:
        one = lambda sql: conn.execute(sql).fetchone()  # noqa: E731
        pair = one(
            "SELECT pa.iso3, m.slug, count(*) FROM missions_contribution c "
            "JOIN partnerships_partner pa ON pa.id = c.partner_id "
            "JOIN missions_mission m ON m.id = c.mission_id "
            "GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 1"
        )
        curated = one(
            "SELECT pa.iso3, count(c.id) FROM partnerships_partner pa "
            "LEFT JOIN missions_contribution c ON c.partner_id = pa.id "
            "WHERE pa.profile NOT LIKE 'Synthetic partner%%' "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        )
        series = one(
            "SELECT contribution_id, count(*) FROM missions_contributionfigure "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        )
        framework = one(
            "SELECT f.slug, count(*) FROM frameworks_participation x "
            "JOIN frameworks_framework f ON f.id = x.framework_id "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1"
        )
        biggest = conn.execute(
            "SELECT m.slug, count(*) FROM missions_contribution c "
            "JOIN missions_mission m ON m.id = c.mission_id "
            "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10"
        ).fetchall()
        mission = biggest[0]
    return {
        "pair_partner": pair[0],
        "pair_mission": pair[1],
        "pair_rows": pair[2],
        "partner": curated[0],
        "partner_contributions": curated[1],
        "contribution": series[0],
        "contribution_figures": series[1],
        "framework": framework[0],
        "framework_participations": framework[1],
        "as_of": "2010-06-01",
        "mission": mission[0],
        "mission_contributions": mission[1],
        "matrix_missions": [slug for slug, _ in biggest],
        "q": os.environ.get("BENCH_SEARCH", "atlantic"),
    }


def endpoints(p: dict) -> list[dict]:
    """Each endpoint: the app's path, the floor's and Datasette's equivalents (or None)."""
    ds = "/kb"
    return [
        {
            "name": "partner list (page of 50)",
            "key": "partners",
            "list": True,
            "app": "/api/v1/partners/",
            "floor": "/partners",
            "datasette": f"{ds}/partners.json?_sort=name&_size=50&_shape=objects",
        },
        {
            "name": f"contributions of {p['pair_partner']} to {p['pair_mission']}",
            "key": "contributions_pair",
            "list": True,
            "app": f"/api/v1/contributions/?partner={p['pair_partner']}"
            f"&mission={p['pair_mission']}",
            "floor": f"/contributions?partner={p['pair_partner']}&mission={p['pair_mission']}",
            "datasette": f"{ds}/contributions_partner_mission.json?partner={p['pair_partner']}"
            f"&mission={p['pair_mission']}&_shape=objects",
        },
        {
            "name": f"contributions of {p['partner']} (page of 50)",
            "key": "contributions_partner",
            "list": True,
            "app": f"/api/v1/contributions/?partner={p['partner']}",
            "floor": f"/contributions?partner={p['partner']}",
            "datasette": f"{ds}/contributions_partner.json?partner={p['partner']}&_shape=objects",
        },
        {
            "name": f"figures of contribution {p['contribution']} (time series)",
            "key": "figures_series",
            "list": True,
            "app": f"/api/v1/figures/?contribution={p['contribution']}&page_size=500",
            "floor": f"/figures?contribution={p['contribution']}&page_size=500",
            "datasette": f"{ds}/figures_of_contribution.json?contribution={p['contribution']}"
            "&_shape=objects",
        },
        {
            "name": f"partners in {p['framework']} as of {p['as_of']}",
            "key": "partners_as_of",
            "list": True,
            "app": f"/api/v1/partners/?framework={p['framework']}&as_of={p['as_of']}",
            "floor": f"/partners?framework={p['framework']}&as_of={p['as_of']}",
            "datasette": f"{ds}/partners_as_of.json?framework={p['framework']}"
            f"&as_of={p['as_of']}&_shape=objects",
        },
        {
            "name": "partners x missions matrix (all)",
            "key": "matrix_missions",
            "app": "/api/v1/matrix/missions/",
            "floor": "/matrix/missions",
            "datasette": None,
        },
        {
            "name": "partners x missions matrix, 10 missions",
            "key": "matrix_10",
            "app": "/api/v1/matrix/missions/?"
            + "&".join(f"column={m}" for m in p["matrix_missions"]),
            "floor": "/matrix/missions?" + "&".join(f"mission={m}" for m in p["matrix_missions"]),
            "datasette": None,
        },
        {
            "name": f"search ?q={p['q']}",
            "key": "search",
            "app": f"/api/v1/search/?q={p['q']}",
            "floor": f"/search?q={p['q']}",
            "datasette": f"{ds}/search_index.json?_search={p['q']}&_shape=objects",
        },
        {
            "name": f"partner profile page /partners/{p['partner'].lower()}/",
            "key": "partner_page",
            "app": f"/partners/{p['partner'].lower()}/",
            "floor": None,
            "datasette": None,
        },
        {
            "name": f"mission page /missions/{p['mission']}/",
            "key": "mission_page",
            "app": f"/missions/{p['mission']}/",
            "floor": None,
            "datasette": None,
        },
    ]


# -- measuring --------------------------------------------------------------------------------


def probe(port: int, path: str, headers: dict | None = None) -> tuple[int, int, dict]:
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    conn.request("GET", path, headers={**HEADERS, **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    return response.status, len(body), dict(response.getheaders())


def wrk(port: int, path: str, seconds: int, log: Path, headers: dict | None = None) -> dict:
    args = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONCURRENCY}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        *[x for k, v in {**HEADERS, **(headers or {})}.items() for x in ("-H", f"{k}: {v}")],
        "-s",
        BENCH / "report.lua",
        f"http://{HOST}:{port}{path}",
    ]
    # report.lua counts every answer but a 2xx (or, when revalidating, a 304) as an error.
    env = {**os.environ, "BENCH_EXPECT": "304" if headers else "2xx"}
    out = subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=True, env=env
    )
    log.write_text(out.stdout + out.stderr)
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = data["duration_us"] / 1e6
    return {
        "rps": round(data["requests"] / seconds, 1),
        "requests": data["requests"],
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "max_ms": round(data["max_us"] / 1000, 1),
        "errors": data["non_2xx"] + data["socket_errors"] + data["timeouts"],
        "bytes_per_request": round(data["bytes"] / max(1, data["requests"])),
    }


def sequential(target: str, proc: subprocess.Popen, path: str, n: int) -> dict:
    """For an endpoint too slow for the wrk window: n requests one after the other."""
    sampler = MemorySampler(proc, interval=0.1)
    sampler.start()
    times, failures = [], 0
    for _ in range(n):
        started = time.perf_counter()
        status, _, _ = probe(PORTS[target], path)
        times.append((time.perf_counter() - started) * 1000)
        failures += not 200 <= status < 300
    times.sort()
    return {
        "mode": f"sequential x{n} (over {SLOW_MS} ms: too slow for the wrk window)",
        "rps": round(1000 / (sum(times) / n), 2),
        "requests": n,
        "p50_ms": round(times[n // 2], 1),
        "p95_ms": round(times[-1], 1),
        "p99_ms": round(times[-1], 1),
        "max_ms": round(times[-1], 1),
        "errors": failures,
        "peak_worker_rss_mb": sampler.stop(),
    }


def load(target: str, proc: subprocess.Popen, path: str, results: Path, key: str) -> dict:
    """wrk on one endpoint of one server. ``revalidated``: the uncached app asked with the
    ETag of its own first answer (``If-None-Match``), so every answer is a bodiless 304."""
    port = PORTS[target]
    if target != "datasette":
        fresh_workers(proc)
        probe(port, path)  # a fresh worker's first answer pays its start-up: not timed
    started = time.perf_counter()
    status, size, headers = probe(port, path)
    took_ms = (time.perf_counter() - started) * 1000
    if status == 404:
        return {"skipped": "404: not built yet"}
    if not 200 <= status < 300:
        return {"errors": 1, "status": status, "note": f"probe answered {status}"}
    conditional = None
    if target == "revalidated":
        etag = headers.get("ETag")
        if not etag:
            return {"errors": 1, "note": "no ETag to revalidate with"}
        conditional = {"If-None-Match": etag}
        status, size, _ = probe(port, path, conditional)
        if status != 304:
            return {"errors": 1, "status": status, "note": f"revalidation answered {status}"}
    elif took_ms > SLOW_MS and target != "cached":
        return sequential(target, proc, path, SLOW_REQUESTS) | {"response_bytes": size}
    wrk(port, path, WARMUP, results / f"wrk-{key}-{target}-warmup.txt", conditional)
    sampler = MemorySampler(proc, interval=0.1)
    sampler.start()
    try:
        result = wrk(port, path, DURATION, results / f"wrk-{key}-{target}.txt", conditional)
    finally:
        result_mem = sampler.stop()
    result["peak_worker_rss_mb"] = result_mem
    result["server_cpu_ms_per_request"] = round(
        sampler.cpu_seconds() * 1000 / max(1, result["requests"]), 1
    )
    result["response_bytes"] = size
    return result


def csv_export(target: str, proc: subprocess.Popen, path: str) -> dict:
    """Stream the whole CSV once: time to first byte, total time, rows, worker memory."""
    if target != "datasette":
        fresh_workers(proc)
        probe(PORTS[target], "/partners" if target == "floor" else "/healthz")
    sampler = MemorySampler(proc, interval=0.02)
    sampler.start()
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, PORTS[target], timeout=600)
    conn.request("GET", path, headers=HEADERS)
    response = conn.getresponse()
    first = None
    size = lines = 0
    while chunk := response.read1(1 << 16):
        if first is None:
            first = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
    total = time.perf_counter() - started
    peak = sampler.stop()
    return {
        "status": response.status,
        "errors": 0 if 200 <= response.status < 300 else 1,
        "ttfb_ms": round((first or total) * 1000, 1),
        "total_s": round(total, 2),
        "mb": round(size / 1e6, 1),
        "rows": max(0, lines - 1),
        "peak_worker_rss_mb": peak,
        "worker_vmhwm_mb": sampler.hwm_mb(),
    }


# -- the run ----------------------------------------------------------------------------------


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = status_kb_total()
    pg = subprocess.run(
        ["psql", DB_URL, "-Atc", "SHOW server_version"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "load_average_at_start": Path("/proc/loadavg").read_text().split()[:3],
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "postgresql": pg,
        "wrk": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0],
    }


def status_kb_total() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def main() -> int:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    results = BENCH / "results" / stamp
    results.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    report = {"started": stamp, "settings": {}, "machine": machine(), "sizes": SIZES}
    try:
        report["data"] = prepare_database(results)
        report["data"]["rows"] = table_sizes()
        params = pick_parameters()
        report["parameters"] = params
        report["settings"] = {
            "duration_s": DURATION,
            "warmup_s": WARMUP,
            "concurrency": CONCURRENCY,
            "wrk_threads": THREADS,
            "gunicorn_workers": WORKERS,
        }
        gunicorn = ["--workers", WORKERS, "--worker-class", "sync", "--timeout", 600]
        servers = {
            "app": start(
                "app",
                [
                    APP_GUNICORN,
                    "partnerships.wsgi:application",
                    "--bind",
                    f"{HOST}:{PORTS['app']}",
                    *gunicorn,
                ],
                log=results / "app.log",
            ),
            "cached": start(
                "cached",
                [
                    APP_GUNICORN,
                    "partnerships.wsgi:application",
                    "--bind",
                    f"{HOST}:{PORTS['cached']}",
                    *gunicorn,
                ],
                env=CACHED_ENV,
                log=results / "cached.log",
            ),
            "floor": start(
                "floor",
                [
                    BENCH_BIN / "gunicorn",
                    "--chdir",
                    BENCH,
                    "floor_app:application",
                    "--bind",
                    f"{HOST}:{PORTS['floor']}",
                    *gunicorn,
                ],
                log=results / "floor.log",
            ),
            "datasette": start(
                "datasette",
                [
                    BENCH_BIN / "datasette",
                    "serve",
                    "-i",
                    BENCH / "results" / "kb.sqlite",
                    "--host",
                    HOST,
                    "--port",
                    PORTS["datasette"],
                    "--metadata",
                    BENCH / "datasette.json",
                    "--setting",
                    "sql_time_limit_ms",
                    "60000",
                    "--setting",
                    "suggest_facets",
                    "off",
                    "--setting",
                    "max_returned_rows",
                    "1000",
                ],
                log=results / "datasette.log",
            ),
        }
        wait_ready(PORTS["app"], "/healthz")
        wait_ready(PORTS["cached"], "/healthz")
        servers["revalidated"] = servers["app"]
        wait_ready(PORTS["floor"], "/partners")
        wait_ready(PORTS["datasette"], "/-/versions.json")
        report["servers"] = {
            "app": {"pid": servers["app"].pid},
            "floor": {"pid": servers["floor"].pid},
            "datasette": {"pid": servers["datasette"].pid},
            "cached": {"pid": servers["cached"].pid},
        }
        report["endpoints"] = []
        for endpoint in endpoints(params):
            if ONLY and endpoint["key"] not in ONLY:
                continue
            say(f"load: {endpoint['name']}")
            entry = {k: endpoint[k] for k in ("name", "key", "app", "floor", "datasette")}
            for target in ("app", "floor", "datasette", "cached", "revalidated"):
                if target in ("cached", "revalidated"):
                    endpoint = {**endpoint, target: endpoint["app"]}
                if not endpoint[target]:
                    continue
                if target != "app" and entry.get("app", {}).get("skipped"):
                    entry[target] = {"skipped": "the app's endpoint is skipped"}
                    continue
                entry[target] = load(
                    target, servers[target], endpoint[target], results, endpoint["key"]
                ) | {"path": endpoint[target]}
                say(f"  {target}: {summary(entry[target])}")
            report["endpoints"].append(entry)
        if not ONLY or "csv" in ONLY:
            say("CSV export of every figure")
            report["csv"] = {}
            for target, path in (
                ("app", "/api/v1/figures/?format=csv"),
                ("floor", "/figures.csv"),
                ("datasette", "/kb/figures.csv?_stream=on&_size=max"),
            ):
                report["csv"][target] = csv_export(target, servers[target], path) | {"path": path}
                say(f"  {target}: {report['csv'][target]}")
        stop_all()
        say("SQL queries per request (Django test client)")
        wanted = [
            {"name": e["key"], "path": e["app"], "list": e.get("list", False)}
            for e in endpoints(params)
            if not ONLY or e["key"] in ONLY
        ] + [{"name": "csv", "path": "/api/v1/figures/?format=csv"}]
        (results / "count_endpoints.json").write_text(json.dumps(wanted))
        run(
            [
                APP_PY,
                BENCH / "count_queries.py",
                results / "count_endpoints.json",
                results / "queries.json",
            ],
            cwd=ROOT,
        )
        report["queries"] = json.loads((results / "queries.json").read_text())
    finally:
        stop_all()
        (results / "report.json").write_text(json.dumps(report, indent=2, default=str))
    table = render(report)
    (results / "table.md").write_text(table)
    print(table)
    failures = errors(report)
    say(f"results in {results}")
    if failures:
        say("FAILED: errors during the run: " + ", ".join(failures))
        return 1
    return 0


def summary(result: dict) -> str:
    if "skipped" in result:
        return f"skipped ({result['skipped']})"
    return (
        f"{result.get('rps')} req/s, p50 {result.get('p50_ms')} ms, p99 {result.get('p99_ms')} "
        f"ms, {result.get('errors')} errors, peak RSS {result.get('peak_worker_rss_mb')} MB"
    )


def errors(report: dict) -> list[str]:
    failed = []
    for entry in report.get("endpoints", []):
        for target in ("app", "floor", "datasette", "cached", "revalidated"):
            result = entry.get(target)
            if isinstance(result, dict) and result.get("errors"):
                failed.append(f"{entry['key']} ({target})")
    for target, result in report.get("csv", {}).items():
        if result.get("errors"):
            failed.append(f"csv ({target})")
    return failed


def ratio(a, b) -> str:
    return f"{a / b:.2f}" if a and b else "–"


def render(report: dict) -> str:
    """The Markdown table of bench/README.md."""
    queries = report.get("queries", {})
    lines = [
        f"Run {report['started']}: {report['sizes']}, concurrency {CONCURRENCY}, "
        f"{DURATION} s per endpoint after {WARMUP} s warm-up, {WORKERS} gunicorn workers.",
        "",
        "| endpoint | app req/s | p50 / p95 / p99 ms | app CPU ms/req | queries (50 / 5 rows) "
        "| peak worker RSS MB | floor req/s | floor p50 / p99 ms | floor CPU ms/req "
        "| app / floor | Datasette req/s | Datasette p50 / p99 ms | app / Datasette "
        "| cached req/s | cached p50 / p99 ms | cached / Datasette "
        "| 304 req/s | 304 p50 / p99 ms | 304 / floor |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for e in report.get("endpoints", []):
        app, floor, ds = e.get("app", {}), e.get("floor") or {}, e.get("datasette") or {}
        hit, fresh = e.get("cached") or {}, e.get("revalidated") or {}
        if "skipped" in app:
            lines.append(f"| {e['name']} | skipped: {app['skipped']} |" + " |" * 17)
            continue
        q = queries.get(e["key"], {})
        qtext = str(q.get("queries", "?"))
        if "queries_page_size_5" in q:
            qtext += f" / {q['queries_page_size_5']}"

        def cell(r, *keys):
            return " / ".join(str(r.get(k, "–")) for k in keys) if r else "–"

        name = e["name"] + (" (sequential)" if "mode" in app else "")
        lines.append(
            f"| {name} | {app.get('rps', '–')} | {cell(app, 'p50_ms', 'p95_ms', 'p99_ms')} "
            f"| {app.get('server_cpu_ms_per_request', '–')} "
            f"| {qtext} | {app.get('peak_worker_rss_mb', '–')} | {floor.get('rps', '–')} "
            f"| {cell(floor, 'p50_ms', 'p99_ms')} | {floor.get('server_cpu_ms_per_request', '–')} "
            f"| {ratio(app.get('rps'), floor.get('rps'))} "
            f"| {ds.get('rps', '–')} | {cell(ds, 'p50_ms', 'p99_ms')} "
            f"| {ratio(app.get('rps'), ds.get('rps'))} "
            f"| {hit.get('rps', '–')} | {cell(hit, 'p50_ms', 'p99_ms')} "
            f"| {ratio(hit.get('rps'), ds.get('rps'))} "
            f"| {fresh.get('rps', '–')} | {cell(fresh, 'p50_ms', 'p99_ms')} "
            f"| {ratio(fresh.get('rps'), floor.get('rps'))} |"
        )
    if report.get("csv"):
        lines += [
            "",
            "CSV export of every figure (one request each, streamed to the end):",
            "",
            "| server | first byte ms | total s | MB | rows | peak worker RSS MB | queries |",
            "|---|---|---|---|---|---|---|",
        ]
        for target, r in report["csv"].items():
            q = queries.get("csv", {}).get("queries", "–") if target == "app" else "–"
            lines.append(
                f"| {target} | {r['ttfb_ms']} | {r['total_s']} | {r['mb']} | {r['rows']} "
                f"| {r['peak_worker_rss_mb']} | {q} |"
            )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        stop_all()
        sys.exit(130)
