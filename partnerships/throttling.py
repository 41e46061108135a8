"""A budget per client for the expensive pages (the matrices, compare, search,
reconciliation, and any page's CSV export), like the API's expensive endpoints: a fixed
window counted in the shared cache (Redis in production), keyed by the real client address
(:func:`partnerships.clients.client_ip`). Over budget: 429 with Retry-After.

Staff (curators) are not limited. A cache that is away counts nothing: the page is served.
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.core.cache import cache

from partnerships.clients import client_ip
from partnerships.middleware import error_response

EXPENSIVE_PAGES = re.compile(r"^/(matrix/|compare/|search/|reconcile/)")


def parse_rate(rate: str) -> tuple[int, int]:
    """``30/minute`` as (30, 60): requests and the window in seconds."""
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def is_expensive(request) -> bool:
    if request.path.startswith("/api/"):
        return False  # the API has its own throttles (partnerships.api.throttles)
    return bool(EXPENSIVE_PAGES.match(request.path)) or request.GET.get("format") == "csv"


class PageThrottleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rate = getattr(settings, "PAGE_EXPENSIVE_RATE", None)
        if rate and request.method in ("GET", "HEAD") and is_expensive(request):
            user = getattr(request, "user", None)
            if not (user is not None and user.is_authenticated and user.is_staff):
                wait = self.over_budget(client_ip(request), *parse_rate(rate))
                if wait:
                    response = error_response(
                        request,
                        429,
                        "Too many expensive requests from this address: "
                        f"try again in {wait} seconds.",
                    )
                    response["Retry-After"] = str(wait)
                    return response
        return self.get_response(request)

    @staticmethod
    def over_budget(ident: str, allowed: int, window: int) -> int:
        """0 when the request is within the budget, else the seconds until the next window."""
        now = int(time.time())
        start = now - now % window
        key = f"page-throttle:{ident}:{start}"
        cache.add(key, 0, timeout=window + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr, or the cache is away
            return 0
        return 0 if count <= allowed else max(1, start + window - now)
