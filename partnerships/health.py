"""Health endpoints for load balancers: /healthz (process up), /readyz (ready to serve)."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from partnerships.routing import replica_aliases


@never_cache
def healthz(request):
    """The process answers. No database access, so a database outage does not fail it."""
    return JsonResponse({"status": "ok"})


def database_state(alias: str) -> dict:
    """{"database": "ok", "pending_migrations": 0} when the database answers and every
    migration is applied there; the reason otherwise."""
    connection = connections[alias]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # any failure to reach the database means not ready
        return {"database": f"unreachable ({exc.__class__.__name__})"}
    return {"database": "ok", "pending_migrations": len(pending)}


def _ready(state: dict) -> bool:
    return state == {"database": "ok", "pending_migrations": 0}


def _summary(state: dict) -> str:
    if _ready(state):
        return "ok"
    if state["database"] != "ok":
        return state["database"]
    return f"{state['pending_migrations']} pending migrations"


@never_cache
def readyz(request):
    """The database answers and every migration is applied; 503 with the reason if not.

    With read replicas, each is reported too, and a node whose primary is away but whose
    replica answers stays ready ("read-only"): it still serves every read.
    """
    primary = database_state(DEFAULT_DB_ALIAS)
    body = {"status": "ok" if _ready(primary) else "unavailable", **primary}
    replicas = {alias: database_state(alias) for alias in replica_aliases()}
    if replicas:
        body["replicas"] = {alias: _summary(state) for alias, state in replicas.items()}
        if not _ready(primary) and any(_ready(state) for state in replicas.values()):
            body["status"] = "read-only"
    return JsonResponse(body, status=503 if body["status"] == "unavailable" else 200)
