""" "Did you mean": a better-known spelling of the query, on both databases.

Each backend reads the names that look like the query's words (PostgreSQL by trigram word
similarity, SQLite from its trigram index); here, the same on both, a word of the query that
is no part of any of those names is replaced by the most similar word of the names (pg_trgm's
measure), and an old or other name of a place or partner by its current one ("Kiev": Kyiv).
When nothing was found, the names closest to the whole query are offered too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from partnerships.search import aliases
from partnerships.search.query import Query
from partnerships.search.text import WORD, fold, folded_with_offsets, similarity

MIN_WORD = 4  # shorter words are acronyms and codes, matched exactly
WORD_SIMILARITY = 0.45  # a misspelt word and the word it stands for
NAME_SIMILARITY = 0.4  # a query and a name offered when nothing was found


def corrections(query: Query, names: Iterable[str]) -> dict[str, str]:
    """Folded word of the query -> the better-known word of the names, as written there."""
    vocabulary: dict[str, str] = {}
    for name in names:
        for word in WORD.findall(name):
            vocabulary.setdefault(fold(word), word)
    found = {}
    for term in query.terms:
        if len(term) < MIN_WORD or term.isdigit() or any(term in w for w in vocabulary):
            continue
        scored = [(similarity(term, w), w) for w in vocabulary if len(w) >= MIN_WORD]
        score, best = max(scored, default=(0.0, ""))
        # A longer or shorter form of the same word ("Georgian") is no misspelling.
        if score >= WORD_SIMILARITY and not (best.startswith(term) or term.startswith(best)):
            found[term] = vocabulary[best]
    return found


def respelt(text: str, fixes: dict[str, str]) -> str:
    """The text with each misspelt word replaced (the rest as typed)."""
    for term, word in fixes.items():
        folded, origin = folded_with_offsets(text)
        match = re.search(rf"\b{re.escape(term)}\b", folded)
        if match:
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            text = text[:start] + word + text[end:]
    return text


def suggestions(query: Query, names: list[str], *, found: bool, limit: int = 5) -> list[str]:
    """Better-known spellings of the query, best first; and, when nothing was found, the
    names closest to it."""
    offered = []
    current = aliases.current_names(query.text)
    if current:
        offered.append(current)
    fixes = corrections(query, names)
    if fixes:
        offered.append(respelt(current or query.text, fixes))
    if not found:
        terms = [t for t in query.terms if len(t) >= 3] or list(query.terms)
        scored = []
        for name in dict.fromkeys(names):
            words = WORD.findall(fold(name))
            score = sum(max((similarity(t, w) for w in words), default=0) for t in terms)
            if terms and score / len(terms) >= NAME_SIMILARITY:
                scored.append((-score, name))
        offered += [name for _, name in sorted(scored)]
    unique: dict[str, str] = {}
    for text in offered:
        unique.setdefault(fold(text), text)
    unique.pop(fold(query.text), None)
    return list(unique.values())[:limit]
