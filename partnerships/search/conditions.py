"""Conditions both backends share: exact codes and names, region labels, tags."""

from __future__ import annotations

import difflib
import json
from functools import reduce
from operator import or_

from django.db import connection, models
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Cast, Lower

from partnerships.search.query import (
    WORD,
    Query,
    SearchKind,
)

# -- PostgreSQL -------------------------------------------------------------------------------


def region_values(kind: SearchKind, query: Query) -> list[str]:
    """The values of the kind's region field whose label the query names.

    Regions are a fixed list of a dozen labels, matched here rather than per row: every
    word of the query is the start of a word of the label, or close to one (a typo).
    """
    if not kind.region or not query.terms:
        return []
    choices = kind.model._meta.get_field(kind.region).choices
    found = []
    for value, label in choices:
        words = [w.lower() for w in WORD.findall(str(label))]
        if all(
            any(w.startswith(t) for w in words) or difflib.get_close_matches(t, words, 1, 0.85)
            for t in query.terms
        ):
            found.append(value)
    return found


def tag_match(kind: SearchKind, areas: models.QuerySet) -> Exists:
    """The row carries one of these cooperation areas (an EXISTS on the link table)."""
    relation = kind.model._meta.get_field(kind.tags)
    through = relation.remote_field.through
    return Exists(
        through.objects.filter(
            **{
                relation.m2m_field_name(): OuterRef("pk"),
                f"{relation.m2m_reverse_field_name()}__in": areas.values("pk"),
            }
        )
    )


def exact_q(kind: SearchKind, query: Query, *, json_too: bool) -> Q | None:
    """The query (or one of its variants: "FYROM" is "North Macedonia") equals a code, an
    acronym or a name of the row (any case)."""
    branches = []
    for f in kind.fields:
        if not f.exact:
            continue
        model_field = kind.model._meta.get_field(f.path)
        for text in query.variants:
            if isinstance(model_field, models.JSONField):
                if json_too:
                    # One element of a JSON list of names, equal to the query in any case.
                    element = json.dumps(
                        text.lower(), ensure_ascii=connection.vendor != "postgresql"
                    )
                    branches.append(Q(**{f"{f.path}_lower__contains": element}))
            else:
                branches.append(Q(**{f"{f.path}__iexact": text}))
    return reduce(or_, branches) if branches else None


def json_lowers(kind: SearchKind) -> dict:
    return {
        f"{f.path}_lower": Lower(Cast(f.path, models.TextField()))
        for f in kind.fields
        if f.exact and isinstance(kind.model._meta.get_field(f.path), models.JSONField)
    }
