"""SQL queries per request of the benchmark's app endpoints (run with the app's venv).

    DATABASE_URL=... SECRET_KEY=... python bench/count_queries.py endpoints.json out.json

Reads ``[{"name", "path", "list"}, ...]`` and writes, for each, the queries one request
makes (Django's CaptureQueriesContext, streamed bodies read to the end) and, for paginated
lists, the same with ``page_size=5``: equal counts mean no N+1 at this data size.
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnerships.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def count(client: Client, path: str) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as ctx:
        # As behind the production TLS proxy (HTTPS_ONLY redirects plain HTTP).
        response = client.get(path, headers={"x-forwarded-proto": "https"})
        if response.streaming:
            size = sum(len(chunk) for chunk in response.streaming_content)
        else:
            size = len(response.content)
    return response.status_code, len(ctx.captured_queries), size


def main(endpoints_file: str, out_file: str) -> None:
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    results = {}
    for item in json.loads(Path(endpoints_file).read_text()):
        status, queries, size = count(client, item["path"])
        result = {"status": status, "queries": queries, "bytes": size}
        if item.get("list") and status == 200:
            parts = urlsplit(item["path"])
            query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page_size"]
            small_path = f"{parts.path}?{urlencode([*query, ('page_size', '5')])}"
            small_status, small, _ = count(client, small_path)
            result["queries_page_size_5"] = small if small_status == 200 else None
        results[item["name"]] = result
        print(f"  {item['name']}: {result}", flush=True)
    Path(out_file).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
