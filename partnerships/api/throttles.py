"""API throttles that tell clients apart by :func:`partnerships.clients.client_ip` (the
real client behind a trusted proxy, never a header the client wrote itself), and a lower
budget per client for the expensive endpoints.

Counts live in the throttle cache (``CACHES["throttle"]``): Redis when ``REDIS_URL`` is set
(every worker and machine share one count), else files that the workers of one machine
share. Either way the documented rate is the rate a client gets, however many workers
serve it (tests/ops/test_shared_throttle.py).
"""

from django.core.cache import caches
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle

from partnerships.clients import client_ip


class ClientIdentMixin:
    @property
    def cache(self):
        return caches["throttle"]

    def get_ident(self, request):
        return client_ip(request)


class AnonThrottle(ClientIdentMixin, AnonRateThrottle):
    """Anonymous clients: API_ANON_RATE per address."""


class ExpensiveThrottle(ClientIdentMixin, ScopedRateThrottle):
    """Endpoints that cost a lot per request, on their own budget per client (a user, or
    an anonymous address): a view's ``throttle_scope`` (the matrices, reconciliation,
    search), and a CSV export of any list (scope ``export``)."""

    def allow_request(self, request, view):
        scope = getattr(view, "throttle_scope", None)
        if scope is None and _wants_export(request):
            scope = "export"
        if scope is None:
            return True
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super(ScopedRateThrottle, self).allow_request(request, view)


def _wants_export(request) -> bool:
    from partnerships.api.base import wants_csv  # the renderer negotiated for the request

    return wants_csv(request)
