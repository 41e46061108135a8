"""Time source reconciliation (figures that disagree) on a large database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kb_recon_bench SECRET_KEY=x \\
        python bench/reconcile_bench.py [--app-dir DIR] [--repeat 3]

The database is prepared once (``migrate``, ``load_knowledge``, ``generate_synthetic``;
see bench/README.md "Reconciliation"). Through Django's test client, as a curator (no
throttle, no shared response cache), it times: the API's JSON (``/api/v1/reconcile/``: a
page of clusters, or every cluster where the API is not paged), the API's last page when
paged, the analysts' page ``/reconcile/``, the whole CSV read to its end, and
``disagreements()`` itself; each with its queries and the process's peak memory after it.
``--app-dir`` runs another checkout of the application (e.g. an older commit) against the
same database, so before and after are measured alike. Statement timeout off.
"""

import argparse
import os
import re
import resource
import statistics
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--app-dir", default=str(Path(__file__).resolve().parent.parent))
parser.add_argument("--repeat", type=int, default=3)
parser.add_argument("--skip", action="append", default=[], help="skip steps naming this")
args = parser.parse_args()

sys.path.insert(0, args.app_dir)
os.chdir(args.app_dir)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")
os.environ["DB_STATEMENT_TIMEOUT"] = "0"
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402
import django.conf  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from partnerships import kinds  # noqa: E402
from partnerships.provenance import quality  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(label: str, call) -> None:
    if any(word in label for word in args.skip):
        return
    times, queries, detail = [], 0, ""
    for _ in range(args.repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            detail = call()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    print(
        f"{label:<44} median {statistics.median(times):7.2f} s  min {min(times):7.2f} s  "
        f"{queries:3d} queries  peak RSS {peak_mb():6.0f} MB  {detail}",
        flush=True,
    )


def main() -> None:
    user, _ = get_user_model().objects.get_or_create(
        username="reconcile-bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    figures = kinds.model("figures").objects.count()
    print(f"app {args.app_dir}; {figures} figures; {args.repeat} runs each", flush=True)

    def get(url: str) -> str:
        response = client.get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
            return f"{lines - 1} CSV rows"
        data = response.json()
        return f"{data['count']} clusters, {len(data['results'])} in the answer"

    timed("CSV /api/v1/reconcile/?format=csv", lambda: get("/api/v1/reconcile/?format=csv"))
    answered = {}

    def first_page() -> str:
        data = client.get("/api/v1/reconcile/", secure=True).json()
        answered.update(data)
        return f"{data['count']} clusters, {len(data['results'])} in the answer"

    timed("JSON /api/v1/reconcile/", first_page)
    if answered.get("next"):  # paged
        last = -(-answered["count"] // 50)
        timed(f"JSON last page ?page={last}", lambda: get(f"/api/v1/reconcile/?page={last}"))

    def page() -> str:
        response = client.get("/reconcile/", secure=True)
        assert response.status_code == 200
        said = re.search(rb"<p>([0-9,]+) disagreements?", response.content)
        return f"{said.group(1).decode() if said else 'no'} clusters"

    timed("page /reconcile/", page)
    if hasattr(quality, "Disagreements"):
        timed(
            "Disagreements(): count + a page of 50",
            lambda: (
                f"{quality.Disagreements().count()} clusters, "
                f"{len(quality.Disagreements().page(0, 50))} read"
            ),
        )
    timed("disagreements(): every cluster", lambda: f"{len(quality.disagreements())} clusters")


if __name__ == "__main__":
    # The pages' static files without collectstatic's manifest (not what is measured).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**django.conf.settings.STORAGES, "staticfiles": plain}):
        main()
