"""Search across the knowledge base: one engine for the search page and the API.

What each kind searches, with which weights, is declared next to its models: the core's
kinds (partners, milestones, cooperation areas, sources) at the end of this module, the
others in ``frameworks/search.py`` and ``missions/search.py``. :func:`kinds` composes
them; this is the one module of the core that reaches the other apps' search fields.

On PostgreSQL (production):

* full-text search over each row's own text (``websearch_to_tsquery`` syntax: ``"a
  phrase"``, ``-word``, ``or``), plus prefix matching of every word of three letters or
  more (``medit`` finds *Mediterranean*) when the query uses no operator;
* trigram word similarity (``pg_trgm``) on names and titles for misspellings;
* exact matches of a code, acronym or name (any case) first, then ``ts_rank`` over the
  weighted fields (A: names, acronyms, codes ... D: long text), the trigram similarity of
  the name, a matching cooperation-area tag and a matching region;
* every filter branch is served by an index of migration ``partnerships/0002_search``
  (GIN full-text and trigram indexes, btree ``UPPER()`` indexes), so the candidates are
  found and limited in SQL; snippets come from ``ts_headline``, computed only for the
  rows shown.

On SQLite (the embedded default of ``make run``) a plain fallback over the same fields:
every word of the query must occur (case-insensitively, ASCII only) in one of the fields;
exact codes, acronyms and names still come first. Websearch operators, stemming and typo
tolerance are PostgreSQL's; "Did you mean" uses :mod:`difflib` there instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection

from partnerships.search.kinds import kinds, resolve_kinds
from partnerships.search.postgres import marked, pg_headline, pg_ranked, pg_suggest
from partnerships.search.query import (
    Group,
    Hit,
    Query,
    QueryError,
    Result,
    parse_query,
)
from partnerships.search.sqlite import plain_ranked, plain_snippet, plain_suggest


class SearchResults(Sequence):
    """The ranked hits of a search, best first; a slice fetches only the rows it shows.

    Ranking costs one query per kind; showing a slice one query per kind in it, so a page
    of the API or of the search page costs the same whatever the size of the tables.
    """

    def __init__(self, query: Query, hits: list[Hit]):
        self.query = query
        self.hits = hits

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return hydrate(self.query, self.hits[index])
        return hydrate(self.query, [self.hits[index]])[0]

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for hit in self.hits:
            counts[hit.kind.name] = counts.get(hit.kind.name, 0) + 1
        return counts

    def groups(self, per_kind: int = 10) -> list[Group]:
        """Results grouped by kind, the kind with the best hit first; ``per_kind`` shown."""
        groups: dict[str, Group] = {}
        shown: list[Hit] = []
        for hit in self.hits:
            group = groups.setdefault(hit.kind.name, Group(hit.kind.name, hit.kind.label, 0))
            group.total += 1
            if group.total <= per_kind:
                shown.append(hit)
        for result in hydrate(self.query, shown):
            groups[result.kind].results.append(result)
        return list(groups.values())


def search(raw: str | Query, kind_names: Iterable[str] | None = None) -> SearchResults:
    """Search every kind (or those named) and rank the hits, best first."""
    query = raw if isinstance(raw, Query) else parse_query(raw)
    order = {name: i for i, name in enumerate(kinds())}
    ranked = pg_ranked if connection.vendor == "postgresql" else plain_ranked
    hits = [hit for kind in resolve_kinds(kind_names) for hit in ranked(kind, query)]
    hits.sort(key=lambda h: (-h.rank, order[h.kind.name], h.pk))
    return SearchResults(query, hits)


def hydrate(query: Query, hits: list[Hit]) -> list[Result]:
    """The rows of these hits with their titles, snippets and URLs (a query per kind)."""
    by_kind: dict[str, list[Hit]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind.name, []).append(hit)
    rows: dict[tuple[str, int], dict] = {}
    for name, kind_hits in by_kind.items():
        kind = kind_hits[0].kind
        fetched = kind.model.objects.filter(pk__in=[h.pk for h in kind_hits])
        if connection.vendor == "postgresql":
            fetched = fetched.values("pk", *kind.values, snippet_html=pg_headline(kind, query))
        else:
            fetched = fetched.values("pk", *kind.values, *kind.snippet)
        for row in fetched:
            rows[name, row["pk"]] = row
    results = []
    for hit in hits:
        row = rows.get((hit.kind.name, hit.pk))
        if row is None:  # deleted between the ranking and the display
            continue
        if "snippet_html" in row:
            snippet = marked(row["snippet_html"] or "")
        else:
            snippet = plain_snippet([row[f] for f in hit.kind.snippet], query.terms)
        kind = hit.kind
        results.append(
            Result(
                kind=kind.name,
                label=kind.label,
                key=str(kind.key(row)),
                title=kind.title(row),
                snippet=snippet,
                rank=round(hit.rank, 4),
                page_url=kind.page_url(row),
                api_url=kind.api_url(row),
            )
        )
    return results


# -- "Did you mean" ----------------------------------------------------------------------------

SUGGESTION_SCAN_LIMIT = 5000  # SQLite only: names read per kind to compare with difflib


def suggest(raw: str | Query, limit: int = 5) -> list[str]:
    """The names closest to the query, for a page that found nothing."""
    try:
        query = raw if isinstance(raw, Query) else parse_query(raw)
    except QueryError:
        return []
    fields = [
        (kind, f.path)
        for kind in kinds().values()
        if kind.suggest
        for f in kind.fields
        if f.trigram
    ]
    if connection.vendor == "postgresql":
        return pg_suggest(query, fields, limit)
    return plain_suggest(query, fields, limit)
