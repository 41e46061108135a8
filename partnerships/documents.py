"""One document, one record: the normalised form of a source's URL (no Django imports, so
the curation scripts use it too)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

LOCALE_PARAMETERS = {"selectedlocale", "lang", "language", "locale", "hl", "l"}


def normalise_url(url: str) -> str:
    """The document a URL names, for telling two records of one document apart.

    Dropped: the scheme, ``www.``, a port-less host's case, a trailing slash, the fragment,
    locale parameters (``?selectedLocale=en``, ``lang``, ``hl``...) and an empty query. On
    nato.int also the language folder (``/cps/en/``, ``/cps/fr/``), the session segment
    (``/SID-.../``) and the old ``natolive`` folder, which all serve the same page.
    """
    if not url:
        return ""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".").removeprefix("www.")
    path = parts.path.rstrip("/")
    if host == "nato.int" or host.endswith(".nato.int"):
        path = re.sub(r"/SID-[0-9A-F]+-[0-9A-F]+", "", path, flags=re.IGNORECASE)
        path = re.sub(r"^/cps/[a-z]{2}/", "/cps/", path)
        path = path.replace("/natolive/", "/natohq/")
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower() not in LOCALE_PARAMETERS
    ]
    return host + path + (f"?{urlencode(query)}" if query else "")
