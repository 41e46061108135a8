"""The search's vocabulary: a parsed query, the fields and kinds searched, hits and results."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.postgres.search import (
    SearchQuery,
)
from django.db import models

from partnerships.search import aliases
from partnerships.search.text import WORD, fold, parts

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
CONFIG = "english"

# The best MAX_HITS_PER_KIND rows of each kind are kept in SQL (ORDER BY rank LIMIT); only
# the rows that match, found through the indexes, are ranked. Ranking costs ~20 µs a row
# (ts_rank over the weighted fields, trigram similarity): a query matching 1,000 rows of a
# kind ranks them in ~20 ms; one matching 30,000 (a broad word over 200,000 sources), ~0.7 s.
MAX_HITS_PER_KIND = 500

# The parts of a row's rank (PostgreSQL). ts_rank stays below 1, so an exact code, acronym
# or name always comes first.
EXACT_BONUS = 10.0
TRIGRAM_FACTOR = 0.5
TAG_BONUS = 0.5
REGION_BONUS = 0.2
# Trigram matching is noise for very short queries ("PfP"): they match exactly or by prefix.
TRIGRAM_MIN_LENGTH = 4


class QueryError(ValueError):
    """A query the search refuses; the message says why (shown to the user)."""


# -- declarations -------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchField:
    """One searched field of a kind.

    ``path`` is an ORM path (``"name"``, ``"partner__name"``). ``weight`` is PostgreSQL's
    A (names, acronyms, codes) to D (long text). ``exact``: a query equal to the value (any
    case) puts the row first. ``trigram``: matched by similarity too (misspellings).
    """

    path: str
    weight: str = "D"
    exact: bool = False
    trigram: bool = False

    @property
    def local(self) -> bool:
        return "__" not in self.path


@dataclass(frozen=True)
class SearchKind:
    """A kind of result: which model, which fields, and how a row is shown and linked.

    ``values`` are the columns :attr:`title`, :attr:`key`, :attr:`page_url` and
    :attr:`api_url` read (each takes the row as a dict). ``region`` names a choices field
    whose label is searched; ``tags`` a many-to-many to cooperation areas whose names are
    searched (a search for "piracy" finds what is tagged "Counter-piracy"). ``boost``
    scales the rank of the whole kind (facts below the things they are about).
    """

    name: str
    label: str
    model_label: str
    fields: tuple[SearchField, ...]
    values: tuple[str, ...]
    key: Callable[[dict], str]
    title: Callable[[dict], str]
    page_url: Callable[[dict], str]
    api_url: Callable[[dict], str]
    snippet: tuple[str, ...] = ()
    region: str = ""
    tags: str = ""
    boost: float = 1.0
    suggest: bool = True

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def main_field(self) -> str:
        return self.fields[0].path


# -- the query ------------------------------------------------------------------------------

OPERATOR = re.compile(r'"|(?:^|\s)-\w|\s(?:or|OR)\s')


@dataclass(frozen=True)
class Query:
    """A cleaned query: its text, its (folded) words, whether it uses websearch operators,
    and its variants: the text as typed, then with the other names of the places and
    partners it names (:mod:`partnerships.search.aliases`)."""

    text: str
    terms: tuple[str, ...]
    operators: bool
    variants: tuple[str, ...] = ()

    def __post_init__(self):
        if not self.variants:
            object.__setattr__(self, "variants", (self.text,))

    @property
    def highlight_terms(self) -> tuple[str, ...]:
        """The folded words to mark in a snippet: the query's and its variants'."""
        words = [w for v in self.variants for w in WORD.findall(fold(v))]
        return tuple(dict.fromkeys([*self.terms, *words]))

    @property
    def prefix_tsquery(self) -> str:
        """Every word as a prefix (``medit:*``), ANDed; only plain words reach here."""
        return " & ".join(f"{t}:*" if len(t) >= 3 else t for t in self.terms)

    def tsquery(self) -> SearchQuery:
        query = SearchQuery(self.text, search_type="websearch", config=CONFIG)
        if self.terms and not self.operators:
            query = query | SearchQuery(self.prefix_tsquery, search_type="raw", config=CONFIG)
        for variant in self.variants[1:]:
            query = query | SearchQuery(variant, search_type="plain", config=CONFIG)
        return query


def parse_query(raw: str | None) -> Query:
    """Clean a query typed by a user, or raise :class:`QueryError` saying why not."""
    text = " ".join((raw or "").split())
    if not text:
        raise QueryError("Type something to search for.")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"Ensure the query has no more than {MAX_QUERY_LENGTH} characters (it has {len(text)})."
        )
    terms = tuple(dict.fromkeys(WORD.findall(fold(text))))[:MAX_TERMS]
    operators = bool(OPERATOR.search(text))
    return Query(
        text=text,
        terms=terms,
        operators=operators,
        variants=(text,) if operators else aliases.variants(text),
    )


# -- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    kind: str
    label: str
    key: str
    title: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    rank: float
    page_url: str
    api_url: str

    @property
    def snippet_parts(self) -> list[tuple[str, bool]]:
        """The snippet cut at its highlights, for the page to escape and mark."""
        return parts(self.snippet, self.highlights)


@dataclass(frozen=True)
class Hit:
    kind: SearchKind
    pk: int
    rank: float


@dataclass
class Group:
    kind: str
    label: str
    total: int
    results: list[Result] = field(default_factory=list)
