"""Search across the knowledge base (see :mod:`partnerships.search.engine`).

``query`` holds the vocabulary, ``kinds`` what is searched, ``postgres`` and ``sqlite`` the
two backends, ``engine`` the ranking and results the page and the API use.
"""

from partnerships.search.engine import SearchResults, hydrate, search, suggest
from partnerships.search.kinds import kind_choices, kinds, resolve_kinds
from partnerships.search.query import (
    MAX_HITS_PER_KIND,
    MAX_QUERY_LENGTH,
    Group,
    Query,
    QueryError,
    Result,
    SearchField,
    SearchKind,
    parse_query,
)

__all__ = [
    "MAX_HITS_PER_KIND",
    "MAX_QUERY_LENGTH",
    "Group",
    "Query",
    "QueryError",
    "Result",
    "SearchField",
    "SearchKind",
    "SearchResults",
    "hydrate",
    "kind_choices",
    "kinds",
    "parse_query",
    "resolve_kinds",
    "search",
    "suggest",
]
