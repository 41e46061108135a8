"""What the search reads of missions and exercises (see :mod:`partnerships.search.kinds`)."""

from django.urls import reverse

from partnerships.dates import display_date
from partnerships.search import SearchField, SearchKind


def _title(row: dict) -> str:
    return f"{row['name']} ({row['acronym']})" if row["acronym"] else row["name"]


MISSION = SearchKind(
    name="mission",
    label="Missions and exercises",
    model_label="missions.Mission",
    fields=(
        SearchField("name", "A", exact=True, trigram=True),
        SearchField("acronym", "A", exact=True),
        SearchField("mandate", "C"),
        SearchField("description", "D"),
    ),
    values=("slug", "name", "acronym"),
    key=lambda row: row["slug"],
    title=_title,
    page_url=lambda row: reverse("mission-detail", args=[row["slug"]]),
    api_url=lambda row: reverse("api:mission-detail", kwargs={"slug": row["slug"]}),
    snippet=("description", "mandate"),
    region="region",
    tags="cooperation_areas",
)


def _period(row: dict) -> str:
    start = display_date(row["start"], row["start_precision"]) or "start not recorded"
    if row["end"]:
        end = display_date(row["end"], row["end_precision"])
    else:
        end = "ended, date unknown" if row["end_unknown"] else "ongoing"
    return start if start == end else f"{start} – {end}"  # "2015", not "2015 – 2015"


def _contribution_title(row: dict) -> str:
    """ "Ukraine to Operation Ocean Shield (10 October 2013 – January 2014)"."""
    return f"{row['partner__name']} to {row['mission__name']} ({_period(row)})"


CONTRIBUTION = SearchKind(
    name="contribution",
    label="Contributions",
    model_label="missions.Contribution",
    fields=(
        SearchField("description", "D"),
        SearchField("partner__name", "B"),
        SearchField("mission__name", "B"),
        SearchField("mission__acronym", "B"),
    ),
    values=(
        "partner__name",
        "partner__iso3",
        "mission__name",
        "mission__slug",
        "start",
        "start_precision",
        "end",
        "end_precision",
        "end_unknown",
    ),
    key=lambda row: row["pk"],
    title=_contribution_title,
    page_url=lambda row: (
        f"{reverse('contribution-list')}?partner={row['partner__iso3']}"
        f"&mission={row['mission__slug']}"
    ),
    api_url=lambda row: reverse("api:contribution-detail", kwargs={"pk": row["pk"]}),
    snippet=("description",),
    tags="cooperation_areas",
    boost=0.6,
    suggest=False,
)

SEARCH_KINDS = (MISSION, CONTRIBUTION)
