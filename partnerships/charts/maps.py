"""The world map: country shapes (vendored, see static/vendor/) coloured by class."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=1)
def world_shapes() -> dict:
    """Country paths built by scripts/build_world_map.py (static/map/countries.json)."""
    path = settings.BASE_DIR / "static" / "map" / "countries.json"
    return json.loads(path.read_text())


@dataclass
class Shape:
    code: str
    name: str
    d: str
    css: str
    url: str = ""
    title: str = ""
    marker: tuple[float, float] | None = None  # small countries get a dot to click


@dataclass
class WorldMap:
    width: float
    height: float
    view_box: str
    shapes: list[Shape]
    linked: list[Shape]
    summary: str
    csv_header = ["country", "name", "category", "title", "url"]

    def rows(self):
        """The data drawn: each country coloured (ISO 3166-1 alpha-2), with what it shows."""
        for shape in sorted(self.linked + self.shapes, key=lambda s: s.name):
            if shape.css != "country":
                category = shape.css.removeprefix("country ").removeprefix("fill-")
                yield [shape.code, shape.name, category, shape.title, shape.url]


SMALL = 5.0  # pixels: countries smaller than this get a round marker too


def world_map(
    styles: dict[str, tuple[str, str, str]], focus: list[str] | None = None, summary: str = ""
) -> WorldMap:
    """The world with the countries in ``styles`` (alpha-2 -> css class, url, title) styled.

    Other countries are drawn plain. ``focus`` crops the view to those countries (a
    mission's hosts), with a margin.
    """
    data = world_shapes()
    width, height = data["width"], data["height"]
    plain, linked = [], []
    for code, country in data["countries"].items():
        css, url, title = styles.get(code, ("", "", ""))
        shape = Shape(code, country["name"], country["d"], css or "country", url, title)
        x0, y0, x1, y1 = country["bbox"]
        if url and max(x1 - x0, y1 - y0) < SMALL:
            shape.marker = (round((x0 + x1) / 2, 1), round((y0 + y1) / 2, 1))
        (linked if url else plain).append(shape)
    view_box = f"0 0 {width:g} {height:g}"
    if focus:
        boxes = [data["countries"][c]["bbox"] for c in focus if c in data["countries"]]
        if boxes:
            x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
            x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
            margin = max(x1 - x0, y1 - y0, 40) * 0.6
            x0, y0, x1, y1 = x0 - margin, y0 - margin * 0.6, x1 + margin, y1 + margin * 0.6
            view_box = f"{x0:.0f} {y0:.0f} {x1 - x0:.0f} {y1 - y0:.0f}"
            width, height = x1 - x0, y1 - y0
    return WorldMap(width, height, view_box, plain, linked, summary)
