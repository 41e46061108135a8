"""Charts to take away: a chart of a page as a standalone SVG file (XML prolog, its style
inline) or the data it draws as CSV, asked for with ``?download=<name>.svg`` or
``?download=<name>.csv`` on the page that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string

from partnerships.exports import streamed_csv

PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass
class ChartFile:
    """One chart a page offers: its drawing (Timeline, ColumnChart or WorldMap), the
    partial that draws its SVG, its caption and the downloaded files' name."""

    chart: object
    caption: str
    stem: str

    @property
    def partial(self) -> tuple[str, str]:
        """The SVG partial and the name it reads the chart under."""
        kind = type(self.chart).__name__
        return {
            "Timeline": ("partials/timeline_svg.html", "t"),
            "ColumnChart": ("partials/columns_svg.html", "c"),
            "WorldMap": ("partials/map_svg.html", "m"),
        }[kind]


@lru_cache(maxsize=1)
def export_style() -> str:
    return (settings.BASE_DIR / "static" / "css" / "chart-export.css").read_text()


def chart_download(request, offered: dict[str, ChartFile | None]):
    """The file ``?download=`` asks for among the page's ``offered`` charts; None when the
    page itself is asked for. An unknown chart or format is a 404 that says which exist."""
    asked = request.GET.get("download")
    if asked is None:
        return None
    name, _, fmt = asked.rpartition(".")
    item = offered.get(name)
    if item is None or fmt not in {"svg", "csv"}:
        names = ", ".join(f"{n}.svg, {n}.csv" for n, c in offered.items() if c) or "none"
        raise Http404(f"No chart {asked!r} on this page; it offers: {names}.")
    if fmt == "csv":
        return streamed_csv(request, item.stem, item.chart.csv_header, item.chart.rows())
    template, var = item.partial
    svg = render_to_string(
        template,
        {
            var: item.chart,
            "chart_id": name,
            "caption": item.caption,
            "standalone": True,
            "style": export_style(),
            "base_url": request.build_absolute_uri("/").rstrip("/"),
        },
    )
    response = HttpResponse(PROLOG + svg.strip() + "\n", content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="{item.stem}.svg"'
    return response
