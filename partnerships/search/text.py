"""Text the search compares and shows: folding, trigram similarity, snippets with offsets.

Both backends share these, so a query is folded, compared and highlighted the same way
whatever the database: accents and case are folded away ("Türkiye" = "turkiye"), misspellings
are measured as PostgreSQL's ``pg_trgm`` measures them, and a snippet is plain text with the
offsets of its matches (never HTML: the page escapes and marks it, the API returns it as is).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

WORD = re.compile(r"\w+")
SNIPPET_CHARS = 240
ELLIPSIS = "… "


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def fold(text: str) -> str:
    """Lower case without accents: what the index stores and the query is compared as."""
    return "".join(_fold_char(c) for c in text)


def folded_with_offsets(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the original one
    (folding may change the length: "ß" becomes "ss", "é" stays one character)."""
    folded, origin = [], []
    for i, char in enumerate(text):
        for f in _fold_char(char):
            folded.append(f)
            origin.append(i)
    return "".join(folded), origin


# -- trigram similarity (pg_trgm's measure) ----------------------------------------------------


@lru_cache(maxsize=8192)
def trigrams(word: str) -> frozenset[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return frozenset(padded[i : i + 3] for i in range(len(padded) - 2))


def similarity(a: str, b: str) -> float:
    """Shared trigrams over all trigrams of two (folded) words, 0 to 1, as pg_trgm."""
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def query_trigrams(terms: Iterable[str]) -> list[str]:
    """The unpadded trigrams of the terms (what an FTS5 trigram index can look up)."""
    found = dict.fromkeys(t[i : i + 3] for t in terms for i in range(len(t) - 2))
    return list(found)


# -- snippets ------------------------------------------------------------------------------


def matcher(terms: Sequence[str]) -> re.Pattern | None:
    """A pattern over folded text for the searched terms.

    A term of three letters or more matches anywhere (a substring, as the indexes do); a
    longer one also matches a word that begins with its stem (``partnerships`` marks
    *Partnership*, as PostgreSQL's stemming found it); a shorter one only as a whole word.
    """
    parts = []
    for term in sorted(set(terms), key=len, reverse=True):
        escaped = re.escape(term)
        if len(term) < 3:
            parts.append(rf"\b{escaped}\b")
            continue
        parts.append(escaped)
        if len(term) >= 6:
            parts.append(rf"\b{re.escape(term[:-2])}\w*")
    return re.compile("|".join(parts)) if parts else None


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """``(start, end)`` of every match of the terms in ``text`` (offsets into ``text``)."""
    pattern = matcher(terms)
    if pattern is None or not text:
        return []
    folded, origin = folded_with_offsets(text)
    spans = []
    for found in pattern.finditer(folded):
        if found.end() > found.start():
            spans.append((origin[found.start()], origin[found.end() - 1] + 1))
    return spans


def snippet(texts: Iterable, terms: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Up to SNIPPET_CHARS of plain text around the first match, and the matches' offsets."""
    text = " — ".join(str(t) for t in texts if t)
    if not text:
        return "", []
    spans = highlight_spans(text, terms)
    start = max(0, spans[0][0] - SNIPPET_CHARS // 3) if spans else 0
    if start:
        start = text.find(" ", start) + 1 or start
    end = start + SNIPPET_CHARS
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    prefix = ELLIPSIS if start else ""
    shown = prefix + text[start:end] + (" …" if end < len(text) else "")
    shift = len(prefix) - start
    kept = [(a + shift, b + shift) for a, b in spans if a >= start and b <= end]
    return shown, kept


def parts(text: str, spans: Sequence[Sequence[int]]) -> list[tuple[str, bool]]:
    """The text cut at its highlights: ``(piece, highlighted)`` pairs, for a template."""
    pieces, last = [], 0
    for start, end in spans:
        if start < last:
            continue
        if start > last:
            pieces.append((text[last:start], False))
        pieces.append((text[start:end], True))
        last = end
    if last < len(text):
        pieces.append((text[last:], False))
    return pieces
