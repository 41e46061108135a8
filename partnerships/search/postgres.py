"""The PostgreSQL backend: full text, prefixes, trigrams, exact codes first (production)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import add, or_

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import models
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Cast, Greatest

from partnerships.models import CooperationArea
from partnerships.search.conditions import exact_q, json_lowers, region_values, tag_match
from partnerships.search.query import (
    CONFIG,
    EXACT_BONUS,
    MAX_HITS_PER_KIND,
    REGION_BONUS,
    TAG_BONUS,
    TRIGRAM_FACTOR,
    TRIGRAM_MIN_LENGTH,
    Hit,
    Query,
    SearchKind,
)

# -- PostgreSQL -------------------------------------------------------------------------------


class Match(models.Func):
    """``document @@ query``: a full-text match, as a filter."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = models.BooleanField()


def document(paths: Sequence[str]) -> SearchVector:
    """The full-text document of a row's own fields, written as its GIN index is."""
    return SearchVector(*paths, config=CONFIG)


def trigram_applies(query: Query) -> bool:
    """Typo tolerance for plain queries of four characters or more (not "PfP", not
    ``"a phrase" -word``: operators mean the user said exactly what they want)."""
    return len(query.text) >= TRIGRAM_MIN_LENGTH and not query.operators


def pg_matching_areas(query: Query) -> models.QuerySet:
    area = CooperationArea
    found = Q(Match(document(["name"]), query.tsquery()))
    if trigram_applies(query):
        found |= Q(name__trigram_word_similar=query.text)
    return area.objects.filter(found)


def pg_filter(kind: SearchKind, query: Query, tsquery: SearchQuery) -> Q:
    """The rows of a kind the query matches, each way of matching served by an index.

    The row's own fields are one OR of indexed conditions (a BitmapOr of the GIN and btree
    indexes of migration 0002_search). Matches through another table (a milestone's
    partner, a cooperation-area tag) or the region cannot join that OR without a scan of
    the table, so each is its own indexed SELECT, and the candidates are their UNION.
    """
    model = kind.model
    local = [f.path for f in kind.fields if f.local]
    own = [Q(Match(document(local), tsquery))]
    if trigram_applies(query):
        own += [
            Q(**{f"{f.path}__trigram_word_similar": query.text}) for f in kind.fields if f.trigram
        ]
    exact = exact_q(kind, query, json_too=False)
    if exact is not None:
        own.append(exact)
    others = []
    for f in kind.fields:
        if not f.local:
            # A field of a related row (a milestone's partner's name): a small table.
            relation, remote = f.path.split("__", 1)
            related = model._meta.get_field(relation).related_model
            matching = related.objects.filter(Match(document([remote]), tsquery)).order_by()
            others.append(model.objects.filter(**{f"{relation}__in": matching.values("pk")}))
    regions = region_values(kind, query)
    if regions:
        others.append(model.objects.filter(**{f"{kind.region}__in": regions}))
    if kind.tags:
        relation = model._meta.get_field(kind.tags)
        areas = pg_matching_areas(query).order_by().values("pk")
        tagged = relation.remote_field.through.objects.filter(
            **{f"{relation.m2m_reverse_field_name()}__in": areas}
        )
        others.append(tagged.order_by().values(relation.m2m_field_name()))
    if not others:
        return reduce(or_, own)
    candidates = [model.objects.filter(reduce(or_, own)), *others]
    candidates = [qs.order_by().values("pk") if qs.model is model else qs for qs in candidates]
    return Q(pk__in=candidates[0].union(*candidates[1:]))


def _flag(condition, bonus: float):
    return Case(When(condition, then=Value(bonus)), default=Value(0.0))


def pg_rank(kind: SearchKind, query: Query, tsquery: SearchQuery):
    vector = reduce(
        add, [SearchVector(f.path, weight=f.weight, config=CONFIG) for f in kind.fields]
    )
    rank = SearchRank(vector, tsquery)
    exact = exact_q(kind, query, json_too=True)
    if exact is not None:
        rank = rank + _flag(exact, EXACT_BONUS)
    trigram = [TrigramWordSimilarity(Value(query.text), f.path) for f in kind.fields if f.trigram]
    if trigram and trigram_applies(query):
        similarity = trigram[0] if len(trigram) == 1 else Greatest(*trigram)
        rank = rank + similarity * Value(TRIGRAM_FACTOR)
    regions = region_values(kind, query)
    if regions:
        rank = rank + _flag(Q(**{f"{kind.region}__in": regions}), REGION_BONUS)
    if kind.tags:
        rank = rank + _flag(tag_match(kind, pg_matching_areas(query)), TAG_BONUS)
    return models.ExpressionWrapper(rank * Value(kind.boost), output_field=models.FloatField())


def pg_ranked(kind: SearchKind, query: Query) -> list[Hit]:
    """One query: the matching rows of a kind, ranked and limited in SQL."""
    tsquery = query.tsquery()
    rows = (
        kind.model.objects.alias(**json_lowers(kind))
        .filter(pg_filter(kind, query, tsquery))
        .annotate(search_rank=pg_rank(kind, query, tsquery))
        .order_by("-search_rank", "pk")
        .values_list("pk", "search_rank")[:MAX_HITS_PER_KIND]
    )
    return [Hit(kind, pk, rank) for pk, rank in rows]


def pg_vocabulary(query: Query, fields, limit: int = 50) -> list[str]:
    """One query: the names with a word like one of the query's words (trigram word
    similarity, served by the trigram indexes), most similar first; "Did you mean" reads
    them (:mod:`partnerships.search.spelling`)."""
    terms = [t for t in query.terms if len(t) >= TRIGRAM_MIN_LENGTH]
    if not terms or not fields:
        return []
    parts = []
    for kind, path in fields:
        similar = reduce(or_, [Q(**{f"{path}__trigram_word_similar": t}) for t in terms])
        scores = [TrigramWordSimilarity(Value(t), path) for t in terms]
        parts.append(
            kind.model.objects.filter(similar)
            .annotate(
                suggestion=Cast(path, models.TextField()),
                similarity=scores[0] if len(scores) == 1 else Greatest(*scores),
            )
            .order_by()
            .values_list("suggestion", "similarity")
        )
    union = parts[0].union(*parts[1:], all=True).order_by("-similarity", "suggestion")
    return list(dict.fromkeys(name for name, _ in union[:limit]))
