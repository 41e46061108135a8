"""The SQLite backend: the FTS5 trigram index of :mod:`partnerships.search.index`.

Two queries for every kind searched at once:

1. the match: every word of the query (or of one of its variants: "Kiev" also searches
   "Kyiv") occurs in the row, as a substring of three letters or more (the trigram
   tokenizer), or the query equals one of its codes, acronyms or names. Web-search syntax
   works as on PostgreSQL: ``"a phrase"``, ``-word``, ``or``;
2. the misspellings (plain queries of four characters or more): the names sharing trigrams
   with the query's words, best first (bm25 over the trigrams), measured word by word with
   pg_trgm's similarity. They also give "Did you mean" its vocabulary.

The rank uses PostgreSQL's signals where SQLite has them: an exact code, acronym or name
first (:data:`EXACT_BONUS`), then a match in the name (more when the name starts with the
query), in a related row's name, a tag or the region, bm25 over the weighted columns, the
names' similarity for misspellings; times the kind's boost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.db import connection

from partnerships.search.index import SEP, TABLE, kind_id, rowid_range, split_rowid
from partnerships.search.query import (
    EXACT_BONUS,
    MAX_HITS_PER_KIND,
    TAG_BONUS,
    TRIGRAM_FACTOR,
    TRIGRAM_MIN_LENGTH,
    Hit,
    Query,
    SearchKind,
)
from partnerships.search.text import WORD, fold, query_trigrams, similarity

NAME_MATCH = 1.0  # every word in the names (PostgreSQL: weight A in ts_rank)
NAME_PREFIX = 0.5  # a name starts with the query
RELATED_MATCH = 0.4  # every word in a related row's name (weight B)
BM25_SHARE = 0.5  # bm25 over the columns, squashed below this
BM25_WEIGHTS = (10.0, 10.0, 4.0, 2.0, 1.0)  # keys, a, b, tags, cd
BM25_ARGS = ", ".join(map(str, BM25_WEIGHTS))
FUZZY_THRESHOLD = 0.5  # the mean similarity of the query's words to the name's words
FUZZY_WORD = 0.45  # and the least: every word of the query must resemble one of the name
FUZZY_CANDIDATES = 100  # names read for misspellings (and "Did you mean"), best bm25 first

TOKEN = re.compile(r'"([^"]*)"?|(\S+)')


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _words(text: str) -> str | None:
    """Every word of three letters or more of the text, each as a substring (ANDed)."""
    words = [w for w in WORD.findall(fold(text)) if len(w) >= 3]
    return " AND ".join(_phrase(w) for w in words) if words else None


def match_expression(query: Query) -> str | None:
    """The FTS5 expression of the query (``None``: nothing the index can look up)."""
    keys = [f"keys : {_phrase(f'{SEP}{fold(v)}{SEP}')}" for v in query.variants]
    body = _websearch(query.text) if query.operators else None
    if not query.operators:
        plain = [e for e in (_words(v) for v in query.variants) if e]
        body = " OR ".join(f"({e})" for e in plain) if plain else None
    return " OR ".join([*keys, f"({body})"] if body else keys)


def _websearch(text: str) -> str | None:
    """PostgreSQL's web-search syntax in FTS5: ``"a phrase"``, ``-word``, ``a or b``."""
    groups: list[list[str]] = [[]]
    negatives: list[str] = []
    for quoted, word in TOKEN.findall(text):
        if word and word.lower() == "or":
            groups.append([])
            continue
        negative = bool(word) and word.startswith("-") and len(word) > 1
        if quoted:
            folded = fold(quoted).strip()
            item = _phrase(folded) if len(folded) >= 3 else _words(folded)
        else:
            item = _words(word[1:] if negative else word)
        if item:
            (negatives if negative else groups[-1]).append(f"({item})")
    positives = [" AND ".join(g) for g in groups if g]
    if not positives:
        return None
    expression = " OR ".join(f"({p})" for p in positives)
    if negatives:
        expression = f"({expression}) NOT ({' OR '.join(negatives)})"
    return expression


def _kind_filter(selected: Sequence[SearchKind], every: int) -> tuple[str, list[int]]:
    if len(selected) == every:
        return "", []
    ranges = [rowid_range(kind) for kind in selected]
    sql = " OR ".join("rowid BETWEEN %s AND %s" for _ in ranges)
    return f" AND ({sql})", [bound for pair in ranges for bound in pair]


def fts_ranked(
    selected: Sequence[SearchKind], every: int, query: Query
) -> tuple[list[Hit], list[str]]:
    """The hits of the selected kinds, and the names read for misspellings (a vocabulary
    for "Did you mean")."""
    by_id = {kind_id(k): k for k in selected}
    where, params = _kind_filter(selected, every)
    variants = [fold(v) for v in query.variants]
    ranks: dict[tuple[str, int], tuple[SearchKind, float]] = {}
    expression = match_expression(query)
    with connection.cursor() as cursor:
        if expression:
            cursor.execute(
                f"SELECT rowid, keys, a, b, tags, bm25({TABLE}, {BM25_ARGS})"
                f" FROM {TABLE} WHERE {TABLE} MATCH %s{where} ORDER BY 6 LIMIT %s",
                [expression, *params, MAX_HITS_PER_KIND * len(selected)],
            )
            for row_id, keys, a, b, tags, score in cursor.fetchall():
                kind_no, pk = split_rowid(row_id)
                kind = by_id[kind_no]
                ranks[kind.name, pk] = (kind, _rank(variants, query, keys, a, b, tags, score))
        names: list[str] = []
        if _fuzzy_applies(query):
            for kind, pk, title, score in _similar(cursor, query, where, params, by_id):
                if kind.suggest:
                    names.append(title)
                if score < FUZZY_THRESHOLD:
                    continue
                _, before = ranks.get((kind.name, pk), (kind, 0.0))
                ranks[kind.name, pk] = (kind, before + score * TRIGRAM_FACTOR)
    hits = [Hit(kind, pk, rank * kind.boost) for (_, pk), (kind, rank) in ranks.items()]
    hits.sort(key=lambda h: (-h.rank, h.pk))
    kept: dict[str, int] = {}
    capped = []
    for hit in hits:
        kept[hit.kind.name] = kept.get(hit.kind.name, 0) + 1
        if kept[hit.kind.name] <= MAX_HITS_PER_KIND:
            capped.append(hit)
    return capped, names


def _rank(variants, query, keys, a, b, tags, score) -> float:
    rank = 0.0
    if any(f"{SEP}{v}{SEP}" in keys for v in variants):
        rank += EXACT_BONUS
    words = [[w for w in WORD.findall(v) if len(w) >= 3] for v in variants]
    if any(ws and all(w in a for w in ws) for ws in words):
        rank += NAME_MATCH
        if any(line.startswith(v) for line in a.split("\n") for v in variants):
            rank += NAME_PREFIX
    if any(ws and all(w in b for w in ws) for ws in words):
        rank += RELATED_MATCH
    if any(w in tags for ws in words for w in ws):
        rank += TAG_BONUS
    relevance = max(0.0, -score)
    return rank + BM25_SHARE * relevance / (1 + relevance)


def _fuzzy_applies(query: Query) -> bool:
    return len(query.text) >= TRIGRAM_MIN_LENGTH and not query.operators


def _similar(cursor, query: Query, where: str, params: list, by_id: dict):
    """The names sharing trigrams with the query's words: ``(kind, pk, title, score)``,
    the score the mean over the query's words of their best similarity to a word of the
    names (pg_trgm's measure)."""
    terms = [t for t in query.terms if len(t) >= 3]
    grams = query_trigrams(terms)
    if not grams:
        return []
    cursor.execute(
        f"SELECT rowid, a, title FROM {TABLE} WHERE {TABLE} MATCH %s{where} ORDER BY rank LIMIT %s",
        [f"a : ({' OR '.join(_phrase(g) for g in grams)})", *params, FUZZY_CANDIDATES],
    )
    found = []
    for row_id, a, title in cursor.fetchall():
        kind_no, pk = split_rowid(row_id)
        words = set(WORD.findall(a))
        best = [max((similarity(t, w) for w in words), default=0.0) for t in terms]
        score = sum(best) / len(terms) if min(best) >= FUZZY_WORD else 0.0
        found.append((by_id[kind_no], pk, title, score))
    return found
