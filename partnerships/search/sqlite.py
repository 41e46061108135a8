"""The plain fallback (SQLite without the trigram tokenizer, or any other database): every
word must occur in a field, as a substring in any case; exact codes and names first."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Case, Q, Value, When

from partnerships.models import CooperationArea
from partnerships.search.conditions import exact_q, json_lowers, region_values, tag_match
from partnerships.search.query import (
    EXACT_BONUS,
    MAX_HITS_PER_KIND,
    Hit,
    Query,
    SearchKind,
)
from partnerships.search.text import WORD, fold


def plain_filter(kind: SearchKind, query: Query) -> Q:
    """Every word of the query, or of one of its variants (other names), occurs in one of
    the fields (or names the region or a tag)."""
    return reduce(or_, [_every_word(kind, variant) for variant in query.variants])


def _every_word(kind: SearchKind, text: str) -> Q:
    terms = WORD.findall(fold(text)) or [text.lower()]
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


# -- "Did you mean" ----------------------------------------------------------------------------

VOCABULARY_SCAN_LIMIT = 5000  # names read per field to compare with the query


def plain_vocabulary(query: Query, fields) -> list[str]:
    """The names of the fields (up to VOCABULARY_SCAN_LIMIT each), for "Did you mean"."""
    names: list[str] = []
    for kind, path in fields:
        names += kind.model.objects.values_list(path, flat=True)[:VOCABULARY_SCAN_LIMIT]
    return names
