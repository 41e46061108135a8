"""The plain backend (SQLite and any other database): every word must occur in a field."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from partnerships.models import CooperationArea
from partnerships.search.conditions import exact_q, json_lowers, region_values, tag_match
from partnerships.search.query import (
    EXACT_BONUS,
    MAX_HITS_PER_KIND,
    SNIPPET_CHARS,
    WORD,
    Hit,
    Query,
    SearchKind,
)

# -- SQLite (and any other database): the plain fallback -------------------------------------


def plain_filter(kind: SearchKind, query: Query) -> Q:
    """Every word of the query occurs in one of the fields (or names the region or a tag)."""
    terms = query.terms or (query.text.lower(),)
    area = CooperationArea
    conditions = []
    for term in terms:
        branches = [Q(**{f"{f.path}__icontains": term}) for f in kind.fields]
        one = Query(text=term, terms=(term,), operators=False)
        regions = region_values(kind, one)
        if regions:
            branches.append(Q(**{f"{kind.region}__in": regions}))
        if kind.tags:
            branches.append(Q(tag_match(kind, area.objects.filter(name__icontains=term))))
        conditions.append(reduce(or_, branches))
    return reduce(lambda a, b: a & b, conditions)


def plain_rank(kind: SearchKind, query: Query):
    """Exact match first, then the name starting with or containing the query."""
    main = kind.main_field
    whens = []
    exact = exact_q(kind, query, json_too=True)
    if exact is not None:
        whens.append(When(exact, then=Value(EXACT_BONUS)))
    whens += [
        When(Q(**{f"{main}__istartswith": query.text}), then=Value(3.0)),
        When(Q(**{f"{main}__icontains": query.text}), then=Value(2.0)),
    ]
    rank = Case(*whens, default=Value(1.0), output_field=models.FloatField())
    return models.ExpressionWrapper(rank * Value(kind.boost), output_field=models.FloatField())


def plain_ranked(kind: SearchKind, query: Query) -> list[Hit]:
    rows = (
        kind.model.objects.alias(**json_lowers(kind))
        .filter(plain_filter(kind, query))
        .annotate(search_rank=plain_rank(kind, query))
        .order_by("-search_rank", "pk")
        .values_list("pk", "search_rank")[:MAX_HITS_PER_KIND]
    )
    return [Hit(kind, pk, rank) for pk, rank in rows]


def plain_snippet(texts: Iterable, terms: Sequence[str]) -> SafeString:
    """Up to SNIPPET_CHARS of the text around the first match, escaped, matches marked."""
    text = " — ".join(str(t) for t in texts if t)
    if not text:
        return mark_safe("")
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - SNIPPET_CHARS // 3) if first else 0
    if start:
        start = text.find(" ", start) + 1 or start
    window = text[start : start + SNIPPET_CHARS]
    pieces, last = [], 0
    for found in pattern.finditer(window) if pattern else ():
        pieces += [escape(window[last : found.start()]), f"<mark>{escape(found.group())}</mark>"]
        last = found.end()
    pieces.append(escape(window[last:]))
    html = ("… " if start else "") + "".join(pieces)
    if start + SNIPPET_CHARS < len(text):
        html += " …"
    return mark_safe(html)  # noqa: S308 - every piece of text is escaped above


# -- "Did you mean" ----------------------------------------------------------------------------

SUGGESTION_SCAN_LIMIT = 5000  # SQLite only: names read per kind to compare with difflib


def plain_suggest(query: Query, fields, limit: int, cutoff: float = 0.75) -> list[str]:
    text = query.text.lower()
    scored: dict[str, float] = {}
    for kind, path in fields:
        for name in kind.model.objects.values_list(path, flat=True)[:SUGGESTION_SCAN_LIMIT]:
            words = [name.lower(), *(w.lower() for w in WORD.findall(name))]
            score = max(difflib.SequenceMatcher(None, text, w).ratio() for w in words)
            if score >= cutoff and name.lower() != text:
                scored[name] = max(score, scored.get(name, 0))
    return sorted(scored, key=lambda n: (-scored[n], n))[:limit]
