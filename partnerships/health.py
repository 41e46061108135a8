"""Health endpoints for load balancers: /healthz (process up), /readyz (ready to serve)."""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """The process answers. No database access, so a database outage does not fail it."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    """The database answers and every migration is applied; 503 with the reason if not."""
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:  # any failure to reach the database means not ready
        return JsonResponse(
            {"status": "unavailable", "database": f"unreachable ({exc.__class__.__name__})"},
            status=503,
        )
    if pending:
        return JsonResponse(
            {"status": "unavailable", "database": "ok", "pending_migrations": len(pending)},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "pending_migrations": 0})
