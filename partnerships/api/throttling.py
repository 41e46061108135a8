"""The anonymous API throttle, counted in the shared throttle cache.

DRF's throttles count in Django's default cache; ours count in ``CACHES["throttle"]``:
Redis when ``REDIS_URL`` is set (every worker and machine share one count), else files
that the workers of one machine share. Either way the documented rate is the rate a client
gets, however many workers serve it.
"""

from django.core.cache import caches
from rest_framework import throttling


class SharedCacheMixin:
    @property
    def cache(self):
        return caches["throttle"]


class AnonRateThrottle(SharedCacheMixin, throttling.AnonRateThrottle):
    """Anonymous clients: ``API_ANON_RATE`` per client address; curators are not throttled."""
