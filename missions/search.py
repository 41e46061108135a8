"""What the search reads of missions and exercises (see :mod:`partnerships.search.kinds`)."""

from django.urls import reverse

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

SEARCH_KINDS = (MISSION,)
