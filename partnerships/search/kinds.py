"""The kinds of result: the core's own, and those each app declares in its search.py."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from django.urls import reverse

from partnerships.apps import declared
from partnerships.search.query import QueryError, SearchField, SearchKind

# The order the page groups kinds in when their ranks tie.
SEARCH_ORDER = (
    "partner",
    "framework",
    "mission",
    "cooperation-area",
    "contribution",
    "milestone",
    "source",
)


@cache
def kinds() -> dict[str, SearchKind]:
    """Every kind, in the order the page groups them when their ranks tie.

    The core declares its own kinds below; each app declares its kinds in its own
    ``search.py`` (``SEARCH_KINDS``), found by :func:`partnerships.apps.declared`.
    """
    core = (PARTNER, COOPERATION_AREA, MILESTONE, SOURCE)
    found = {kind.name: kind for kind in (*core, *declared("search", "SEARCH_KINDS"))}
    order = {name: i for i, name in enumerate(SEARCH_ORDER)}
    return dict(sorted(found.items(), key=lambda item: (order.get(item[0], len(order)), item[0])))


def resolve_kinds(names: Iterable[str] | None) -> list[SearchKind]:
    """The kinds named (all when none), or :class:`QueryError` naming the unknown ones."""
    known = kinds()
    names = [n for n in (names or []) if n]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise QueryError(f"Unknown kind: {', '.join(unknown)}. Choose from {', '.join(known)}.")
    return [known[n] for n in known if not names or n in names]


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
