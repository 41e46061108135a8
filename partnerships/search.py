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

import difflib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, reduce
from operator import add, or_

from django.apps import apps
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection, models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Greatest, Lower
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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

# ts_headline marks matches with these; the text is HTML-escaped, then they become <mark>.
_START, _STOP = "\ue000", "\ue001"
SNIPPET_CHARS = 240


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


@cache
def kinds() -> dict[str, SearchKind]:
    """Every kind, in the order the page groups them when their ranks tie."""
    from frameworks.search import FRAMEWORK
    from missions.search import MISSION

    ordered = (PARTNER, FRAMEWORK, MISSION, COOPERATION_AREA, MILESTONE, SOURCE)
    return {kind.name: kind for kind in ordered}


# -- the query ------------------------------------------------------------------------------

_WORD = re.compile(r"\w+")
_OPERATOR = re.compile(r'"|(?:^|\s)-\w|\s(?:or|OR)\s')


@dataclass(frozen=True)
class Query:
    """A cleaned query: its text, its words, and whether it uses websearch operators."""

    text: str
    terms: tuple[str, ...]
    operators: bool

    @property
    def prefix_tsquery(self) -> str:
        """Every word as a prefix (``medit:*``), ANDed; only plain words reach here."""
        return " & ".join(f"{t}:*" if len(t) >= 3 else t for t in self.terms)

    def tsquery(self) -> SearchQuery:
        query = SearchQuery(self.text, search_type="websearch", config=CONFIG)
        if self.terms and not self.operators:
            query = query | SearchQuery(self.prefix_tsquery, search_type="raw", config=CONFIG)
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
    terms = tuple(dict.fromkeys(t.lower() for t in _WORD.findall(text)))[:MAX_TERMS]
    return Query(text=text, terms=terms, operators=bool(_OPERATOR.search(text)))


def resolve_kinds(names: Iterable[str] | None) -> list[SearchKind]:
    """The kinds named (all when none), or :class:`QueryError` naming the unknown ones."""
    known = kinds()
    names = [n for n in (names or []) if n]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise QueryError(f"Unknown kind: {', '.join(unknown)}. Choose from {', '.join(known)}.")
    return [known[n] for n in known if not names or n in names]


# -- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    kind: str
    label: str
    key: str
    title: str
    snippet: SafeString
    rank: float
    page_url: str
    api_url: str


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
        words = [w.lower() for w in _WORD.findall(str(label))]
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


def pg_matching_areas(query: Query) -> models.QuerySet:
    area = apps.get_model("partnerships.CooperationArea")
    found = Q(Match(document(["name"]), query.tsquery()))
    if trigram_applies(query):
        found |= Q(name__trigram_word_similar=query.text)
    return area.objects.filter(found)


def exact_q(kind: SearchKind, query: Query, *, json_too: bool) -> Q | None:
    """The query equals a code, an acronym or a name of the row (any case)."""
    branches = []
    for f in kind.fields:
        if not f.exact:
            continue
        model_field = kind.model._meta.get_field(f.path)
        if isinstance(model_field, models.JSONField):
            if json_too:
                # One element of a JSON list of names, equal to the query in any case.
                element = json.dumps(
                    query.text.lower(), ensure_ascii=connection.vendor != "postgresql"
                )
                branches.append(Q(**{f"{f.path}_lower__contains": element}))
        else:
            branches.append(Q(**{f"{f.path}__iexact": query.text}))
    return reduce(or_, branches) if branches else None


def _json_lowers(kind: SearchKind) -> dict:
    return {
        f"{f.path}_lower": Lower(Cast(f.path, models.TextField()))
        for f in kind.fields
        if f.exact and isinstance(kind.model._meta.get_field(f.path), models.JSONField)
    }


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
        kind.model.objects.alias(**_json_lowers(kind))
        .filter(pg_filter(kind, query, tsquery))
        .annotate(search_rank=pg_rank(kind, query, tsquery))
        .order_by("-search_rank", "pk")
        .values_list("pk", "search_rank")[:MAX_HITS_PER_KIND]
    )
    return [Hit(kind, pk, rank) for pk, rank in rows]


def pg_headline(kind: SearchKind, query: Query):
    if not kind.snippet:
        return Value("")
    parts = [F(kind.snippet[0])]
    for path in kind.snippet[1:]:
        parts += [Value(" — "), F(path)]
    text = (
        parts[0]
        if len(parts) == 1
        else models.functions.Concat(*parts, output_field=models.TextField())
    )
    return SearchHeadline(
        text,
        query.tsquery(),
        config=CONFIG,
        start_sel=_START,
        stop_sel=_STOP,
        max_fragments=2,
        min_words=12,
        max_words=30,
        fragment_delimiter=" … ",
    )


def marked(headline: str) -> SafeString:
    """ts_headline's text, HTML-escaped, with its markers turned into <mark>."""
    html = escape(headline).replace(_START, "<mark>").replace(_STOP, "</mark>")
    return mark_safe(html)  # noqa: S308 - escaped above; only our own tags are added


# -- SQLite (and any other database): the plain fallback -------------------------------------


def plain_filter(kind: SearchKind, query: Query) -> Q:
    """Every word of the query occurs in one of the fields (or names the region or a tag)."""
    terms = query.terms or (query.text.lower(),)
    area = apps.get_model("partnerships.CooperationArea")
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
        kind.model.objects.alias(**_json_lowers(kind))
        .filter(plain_filter(kind, query))
        .annotate(search_rank=plain_rank(kind, query))
        .order_by("-search_rank", "pk")
        .values_list("pk", "search_rank")[:MAX_HITS_PER_KIND]
    )
    return [Hit(kind, pk, rank) for pk, rank in rows]


def plain_snippet(texts: Iterable, terms: Sequence[str]) -> SafeString:
    """Up to SNIPPET_CHARS of the text around the first match, escaped, matches marked."""
    text = " — ".join(str(t) for t in texts if t)
    if not text:
        return mark_safe("")
    pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE) if terms else None
    first = pattern.search(text) if pattern else None
    start = max(0, first.start() - SNIPPET_CHARS // 3) if first else 0
    if start:
        start = text.find(" ", start) + 1 or start
    window = text[start : start + SNIPPET_CHARS]
    pieces, last = [], 0
    for found in pattern.finditer(window) if pattern else ():
        pieces += [escape(window[last : found.start()]), f"<mark>{escape(found.group())}</mark>"]
        last = found.end()
    pieces.append(escape(window[last:]))
    html = ("… " if start else "") + "".join(pieces)
    if start + SNIPPET_CHARS < len(text):
        html += " …"
    return mark_safe(html)  # noqa: S308 - every piece of text is escaped above


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


def pg_suggest(query: Query, fields, limit: int) -> list[str]:
    """One query: a UNION of the names similar to the query (trigram word similarity)."""
    parts = [
        kind.model.objects.filter(**{f"{path}__trigram_word_similar": query.text})
        .annotate(
            suggestion=Cast(path, models.TextField()),
            similarity=TrigramWordSimilarity(Value(query.text), path),
        )
        .order_by()
        .values_list("suggestion", "similarity")
        for kind, path in fields
    ]
    union = parts[0].union(*parts[1:], all=True).order_by("-similarity", "suggestion")
    seen = dict.fromkeys(
        name for name, _ in union[: limit * 3] if name.lower() != query.text.lower()
    )
    return list(seen)[:limit]


def plain_suggest(query: Query, fields, limit: int, cutoff: float = 0.75) -> list[str]:
    text = query.text.lower()
    scored: dict[str, float] = {}
    for kind, path in fields:
        for name in kind.model.objects.values_list(path, flat=True)[:SUGGESTION_SCAN_LIMIT]:
            words = [name.lower(), *(w.lower() for w in _WORD.findall(name))]
            score = max(difflib.SequenceMatcher(None, text, w).ratio() for w in words)
            if score >= cutoff and name.lower() != text:
                scored[name] = max(score, scored.get(name, 0))
    return sorted(scored, key=lambda n: (-scored[n], n))[:limit]


# -- the core's kinds: partners, milestones, cooperation areas, sources ----------------------


def _partner_page(iso3: str) -> str:
    return reverse("partner-detail", args=[iso3.lower()])


PARTNER = SearchKind(
    name="partner",
    label="Partners",
    model_label="partnerships.Partner",
    fields=(
        SearchField("name", "A", exact=True, trigram=True),
        SearchField("other_names", "A", exact=True),
        SearchField("iso3", "A", exact=True),
        SearchField("country", "A", exact=True),
        SearchField("profile", "D"),
    ),
    values=("iso3", "name"),
    key=lambda row: row["iso3"],
    title=lambda row: row["name"],
    page_url=lambda row: _partner_page(row["iso3"]),
    api_url=lambda row: reverse("api:partner-detail", kwargs={"iso3": row["iso3"]}),
    snippet=("profile",),
)

MILESTONE = SearchKind(
    name="milestone",
    label="Milestones",
    model_label="partnerships.Milestone",
    fields=(
        SearchField("title", "A", trigram=True),
        SearchField("partner__name", "B"),
        SearchField("description", "D"),
    ),
    values=("title", "partner__name", "partner__iso3"),
    key=lambda row: row["pk"],
    title=lambda row: f"{row['partner__name']}: {row['title']}",
    page_url=lambda row: f"{_partner_page(row['partner__iso3'])}#milestone-{row['pk']}",
    api_url=lambda row: reverse("api:milestone-detail", kwargs={"pk": row["pk"]}),
    snippet=("description",),
    boost=0.6,
    suggest=False,
)

COOPERATION_AREA = SearchKind(
    name="cooperation-area",
    label="Cooperation areas",
    model_label="partnerships.CooperationArea",
    fields=(
        SearchField("name", "A", exact=True, trigram=True),
        SearchField("description", "C"),
    ),
    values=("slug", "name"),
    key=lambda row: row["slug"],
    title=lambda row: row["name"],
    page_url=lambda row: f"{reverse('partner-list')}?cooperation_area={row['slug']}",
    api_url=lambda row: reverse("api:cooperation-area-detail", kwargs={"slug": row["slug"]}),
    snippet=("description",),
    boost=0.9,
)

SOURCE = SearchKind(
    name="source",
    label="Sources",
    model_label="partnerships.Source",
    fields=(
        SearchField("title", "A", trigram=True),
        SearchField("publisher", "B"),
    ),
    values=("key", "title", "publisher"),
    key=lambda row: row["key"],
    title=lambda row: row["title"],
    page_url=lambda row: reverse("source-detail", args=[row["pk"]]),
    api_url=lambda row: reverse("api:source-detail", kwargs={"pk": row["pk"]}),
    snippet=("publisher",),
    boost=0.5,
    suggest=False,
)


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.name, kind.label) for kind in kinds().values()]


__all__ = [
    "MAX_QUERY_LENGTH",
    "Group",
    "Query",
    "QueryError",
    "Result",
    "SearchField",
    "SearchKind",
    "SearchResults",
    "kind_choices",
    "kinds",
    "parse_query",
    "resolve_kinds",
    "search",
    "suggest",
]
