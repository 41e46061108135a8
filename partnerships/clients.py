"""One client identity: the address a request came from, as the throttles, the login
lockout and the logs all see it.

``X-Forwarded-For`` is believed only when the connection came from a trusted proxy
(``FORWARDED_ALLOW_IPS``, the variable gunicorn reads too: a comma list of addresses or
networks; default 127.0.0.1). The header is then read from the right, skipping the trusted
proxies, and the first address that is not one of them is the client: everything to its
left was written by the client itself and proves nothing. From any other peer the header
is ignored, so a random value per request cannot make a client look like many.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...] | None:
    """The trusted proxies as networks; None for ``*`` (every peer is a proxy)."""
    if "*" in spec:
        return None
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def trusted_proxies() -> tuple[Network, ...] | None:
    return _networks(tuple(settings.FORWARDED_ALLOW_IPS))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def is_trusted(address) -> bool:
    networks = trusted_proxies()
    if networks is None:
        return True
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy the right-most address
    of X-Forwarded-For that is not itself a trusted proxy."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR", "") or ""
    peer = _address(remote)
    if not is_trusted(peer):
        return str(peer) if peer is not None else remote
    client = peer
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    for text in reversed(forwarded.split(",") if forwarded else []):
        hop = _address(text)
        if hop is None:
            break  # a damaged entry: nothing to its left can be believed
        client = hop
        if not is_trusted(hop):
            break
    return str(client) if client is not None else remote
