"""What the search reads of frameworks (see :mod:`partnerships.search.kinds`)."""

from django.urls import reverse

from partnerships.search import SearchField, SearchKind


def _title(row: dict) -> str:
    return f"{row['name']} ({row['acronym']})" if row["acronym"] else row["name"]


FRAMEWORK = SearchKind(
    name="framework",
    label="Frameworks",
    model_label="frameworks.Framework",
    fields=(
        SearchField("name", "A", exact=True, trigram=True),
        SearchField("acronym", "A", exact=True),
        SearchField("description", "D"),
    ),
    values=("slug", "name", "acronym"),
    key=lambda row: row["slug"],
    title=_title,
    page_url=lambda row: reverse("framework-detail", args=[row["slug"]]),
    api_url=lambda row: reverse("api:framework-detail", kwargs={"slug": row["slug"]}),
    snippet=("description",),
    tags="cooperation_areas",
)

SEARCH_KINDS = (FRAMEWORK,)
