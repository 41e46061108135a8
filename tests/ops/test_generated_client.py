"""A client generated from the OpenAPI schema works: openapi-python-client generates it
without warnings, and its partners list call pages through the curated data served by
``manage.py runserver`` on SQLite (every partner once), its error model reads a 404.

Needs the generator (``pip install openapi-python-client``, in the dev extras); the test
finds it on PATH, beside this Python, or at ``$OPENAPI_PYTHON_CLIENT``, and is skipped
with a reason otherwise. Marked slow (tests/ops)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ops.servers import ROOT, free_port, manage


@pytest.fixture(scope="module")
def generator() -> Path:
    for candidate in (
        os.environ.get("OPENAPI_PYTHON_CLIENT"),
        shutil.which("openapi-python-client"),
        Path(sys.executable).parent / "openapi-python-client",
    ):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    pytest.skip("openapi-python-client is not installed (pip install openapi-python-client)")


CHECK = textwrap.dedent(
    """
    import sys
    from partnerships_kb_api_client import Client
    from partnerships_kb_api_client.api.partners import partners_list
    from partnerships_kb_api_client.models import (
        Error, PaginatedPartnerList, PartnersListOrderingItem,
    )

    client = Client(base_url=sys.argv[1], raise_on_unexpected_status=True)
    seen, page = [], 1
    while True:
        result = partners_list.sync(
            client=client, page=page, page_size=20,
            ordering=[PartnersListOrderingItem("region")],
        )
        assert isinstance(result, PaginatedPartnerList), result
        seen += [partner.iso3 for partner in result.results]
        if not result.next_:
            break
        page += 1
    assert len(seen) == len(set(seen)) == result.count > 40, (len(seen), result.count)
    missing = partners_list.sync_detailed(client=client, page=999)
    assert missing.status_code == 404 and isinstance(missing.parsed, Error), missing
    assert "past the last page" in missing.parsed.detail
    print("ok", result.count)
    """
)


@pytest.fixture(scope="module")
def served(generator, tmp_path_factory):
    """The curated data on a fresh SQLite database, under ``manage.py runserver``."""
    folder = tmp_path_factory.mktemp("client")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{folder / 'kb.sqlite3'}", LOG_LEVEL="WARNING")
    manage(env, "migrate", "-v0")
    manage(env, "load_knowledge")
    manage(env, "spectacular", "--validate", "--fail-on-warn", "--file", str(folder / "api.yaml"))
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield folder, base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_generated_client_lists_partners(generator, served):
    found = generator
    folder, base = served
    output = folder / "partnerships_kb_api_client"
    env = {**os.environ, "PATH": f"{found.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    generated = subprocess.run(
        [str(found), "generate", "--path", str(folder / "api.yaml"), "--output-path",
         str(output), "--meta", "none"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout
    # The generator's own Python has the client's dependencies (httpx, attrs).
    python = found.parent / "python"
    python = python if python.exists() else Path(sys.executable)
    checked = subprocess.run(
        [str(python), "-c", CHECK, base],
        capture_output=True, text=True, timeout=120, env={**env, "PYTHONPATH": str(folder)},
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("ok ")
