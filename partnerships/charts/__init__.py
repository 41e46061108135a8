"""SVG charts drawn on the server: timelines, column charts and the world map.

The builders here only compute geometry (plain dataclasses); the templates in
``templates/partials/`` draw it as SVG with classes, so the pages need no JavaScript and
no inline styles. Period ends come from ``covers_from`` / ``covers_until`` (the as-of rule
of :mod:`partnerships.dates`), so a bar covers exactly what the rule counts: a year-only
start begins on 1 January, an ongoing period runs to today, and a period that ended on an
unknown date is drawn over its start's unit only, marked as such.
"""

from partnerships.charts.columns import column_chart, figures_chart, participants_per_year
from partnerships.charts.maps import world_map
from partnerships.charts.timelines import (
    compare_timeline_chart,
    mission_timeline_chart,
    profile_timeline_chart,
)

__all__ = [
    "column_chart",
    "compare_timeline_chart",
    "figures_chart",
    "mission_timeline_chart",
    "participants_per_year",
    "profile_timeline_chart",
    "world_map",
]
