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

On SQLite (the embedded default of ``make run``) the same forgiveness through an FTS5
index with the trigram tokenizer (:mod:`partnerships.search.index`, kept in step with the
tables): substrings of the query's words, web-search syntax, misspellings by trigram
similarity, exact codes and names first, names before descriptions
(:mod:`partnerships.search.fts`). Without the trigram tokenizer (SQLite before 3.34) a plain
fallback matches every word as a substring (:mod:`partnerships.search.sqlite`).

On both: other and historic names of places and partners are searched with the query
(:mod:`partnerships.search.aliases`); accents and case are folded; "Did you mean" offers a
better-known spelling whenever one exists (:mod:`partnerships.search.spelling`); snippets are
plain text with the offsets of their matches (:mod:`partnerships.search.text`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.db import DatabaseError, connection

from partnerships.search import index
from partnerships.search.fts import fts_ranked
from partnerships.search.kinds import kinds, resolve_kinds
from partnerships.search.postgres import pg_ranked, pg_vocabulary
from partnerships.search.query import (
    Group,
    Hit,
    Query,
    QueryError,
    Result,
    parse_query,
)
from partnerships.search.spelling import corrections, suggestions
from partnerships.search.sqlite import plain_ranked, plain_vocabulary
from partnerships.search.text import snippet

log = logging.getLogger(__name__)


class SearchResults(Sequence):
    """The ranked hits of a search, best first; a slice fetches only the rows it shows.

    Ranking costs one query per kind; showing a slice one query per kind in it, so a page
    of the API or of the search page costs the same whatever the size of the tables.
    """

    def __init__(self, query: Query, hits: list[Hit], names: Sequence[str] = ()):
        self.query = query
        self.hits = hits
        self.names = list(names)  # names like the query's words, for spelling
        # The words the hits were found by despite their spelling, marked in the snippets.
        self.marked = (*query.highlight_terms, *map(str.lower, corrections(query, names).values()))

    @property
    def suggestions(self) -> list[str]:
        """ "Did you mean": better-known spellings; the closest names when nothing was found."""
        return suggestions(self.query, self.names, found=bool(self.hits))

    def __len__(self) -> int:
        return len(self.hits)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return hydrate(self.query, self.hits[index], self.marked)
        return hydrate(self.query, [self.hits[index]], self.marked)[0]

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
        for result in hydrate(self.query, shown, self.marked):
            groups[result.kind].results.append(result)
        return list(groups.values())


def search(raw: str | Query, kind_names: Iterable[str] | None = None) -> SearchResults:
    """Search every kind (or those named) and rank the hits, best first."""
    query = raw if isinstance(raw, Query) else parse_query(raw)
    order = {name: i for i, name in enumerate(kinds())}
    selected = resolve_kinds(kind_names)
    hits, names = _ranked(selected, query)
    hits.sort(key=lambda h: (-h.rank, order[h.kind.name], h.pk))
    return SearchResults(query, hits, names)


def _ranked(selected, query: Query) -> tuple[list[Hit], list[str]]:
    """The hits, and the names read for "Did you mean" (one query for them)."""
    if connection.vendor == "postgresql":
        hits = [hit for kind in selected for hit in pg_ranked(kind, query)]
        return hits, pg_vocabulary(query, _spelled_fields())
    if index.supported():
        try:
            return fts_ranked(selected, len(kinds()), query)
        except DatabaseError as exc:  # the index is missing: migrate creates it
            log.warning("Search index unusable (%s); plain matching instead.", exc)
    hits = [hit for kind in selected for hit in plain_ranked(kind, query)]
    return hits, plain_vocabulary(query, _spelled_fields())


def _spelled_fields():
    """The names "Did you mean" reads: the trigram fields of the kinds it offers."""
    return [
        (kind, f.path)
        for kind in kinds().values()
        if kind.suggest
        for f in kind.fields
        if f.trigram
    ]


def hydrate(query: Query, hits: list[Hit], marked: Sequence[str] = ()) -> list[Result]:
    """The rows of these hits with their titles, snippets and URLs (a query per kind)."""
    by_kind: dict[str, list[Hit]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind.name, []).append(hit)
    rows: dict[tuple[str, int], dict] = {}
    for name, kind_hits in by_kind.items():
        kind = kind_hits[0].kind
        fetched = kind.model.objects.filter(pk__in=[h.pk for h in kind_hits])
        for row in fetched.values("pk", *dict.fromkeys([*kind.values, *kind.snippet])):
            rows[name, row["pk"]] = row
    terms = marked or query.highlight_terms
    results = []
    for hit in hits:
        row = rows.get((hit.kind.name, hit.pk))
        if row is None:  # deleted between the ranking and the display
            continue
        kind = hit.kind
        text, highlights = snippet([row[f] for f in kind.snippet], terms)
        results.append(
            Result(
                kind=kind.name,
                label=kind.label,
                key=str(kind.key(row)),
                title=kind.title(row),
                snippet=text,
                highlights=tuple(highlights),
                rank=round(hit.rank, 4),
                page_url=kind.page_url(row),
                api_url=kind.api_url(row),
            )
        )
    return results


# -- "Did you mean" ----------------------------------------------------------------------------


def suggest(raw: str | Query, limit: int = 5) -> list[str]:
    """Better-known spellings of the query and, when it finds nothing, the closest names."""
    try:
        query = raw if isinstance(raw, Query) else parse_query(raw)
    except QueryError:
        return []
    return search(query).suggestions[:limit]
