"""Build static/map/countries.json, the world map the /map/ page draws, from world-atlas.

Run once when the vendored data changes (it is committed; nothing is fetched at run time):

    .venv/bin/python scripts/build_world_map.py

Input: static/vendor/world-atlas/countries-50m.json, the npm package world-atlas 2.0.2
(ISC licence, copied beside it; the shapes are Natural Earth's, in the public domain). It
is TopoJSON keyed by ISO 3166-1 numeric codes. Output: one SVG path per country, projected
(Equal Earth), simplified and rounded to a tenth of a pixel, keyed by ISO alpha-2 (mapped
with django-countries) with its alpha-3, name and bounding box.
"""

import json
import math
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "static/vendor/world-atlas/countries-50m.json"
TARGET = ROOT / "static/map/countries.json"
WIDTH = 1000.0
SOUTH_LIMIT = -58.0  # Antarctica is left out; nothing south of this is drawn
TOLERANCE = 0.35  # pixels: Douglas-Peucker simplification
# Shapes with no ISO numeric code in world-atlas.
BY_NAME = {"Kosovo": "XK"}

# Equal Earth projection (Šavrič, Patterson, Jenny 2018).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
X_MAX = math.pi / (M * A1)  # x of (180°, 0°)


def project(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(max(lat, SOUTH_LIMIT))
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def decode_arcs(topology) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring_points(ring, arcs):
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def unwrap(points):
    """Make a ring that crosses the antimeridian continuous, then clamp it to the map's
    edge (Russia's and Fiji's easternmost parts), so no ring streaks across the world."""
    out = []
    for lon, lat in points:
        if out:
            previous = out[-1][0]
            while lon - previous > 180:
                lon -= 360
            while previous - lon > 180:
                lon += 360
        out.append((lon, lat))
    return [(max(-180.0, min(180.0, lon)), lat) for lon, lat in out]


def simplify(points, tolerance):
    """Douglas-Peucker, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, worst_at = -1.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if norm:
                distance = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            else:  # a closed ring: measure from its first point
                distance = math.hypot(px - x1, py - y1)
            if distance > worst:
                worst, worst_at = distance, i
        if worst_at is not None and worst > tolerance:
            keep[worst_at] = True
            stack += [(first, worst_at), (worst_at, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def main():
    settings.configure(USE_I18N=False, COUNTRIES_OVERRIDE={"XK": "Kosovo"})
    from django_countries import countries

    topology = json.loads(SOURCE.read_text())
    arcs = decode_arcs(topology)
    scale = WIDTH / (2 * X_MAX)
    top = project(0, 90)[1]
    bottom = project(0, SOUTH_LIMIT)[1]
    height = round((top - bottom) * scale, 1)

    def to_px(lon, lat):
        x, y = project(lon, lat)
        return (x + X_MAX) * scale, (top - y) * scale

    shapes = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        numeric = geometry.get("id")
        alpha2 = countries.alpha2(int(numeric)) if numeric else BY_NAME.get(name, "")
        if numeric == "010" or geometry["type"] not in {"Polygon", "MultiPolygon"}:
            continue  # Antarctica; and empty geometries
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        parts, xs, ys = [], [], []
        for polygon in polygons:
            for ring in polygon:
                lonlat = unwrap(ring_points(ring, arcs))
                if max(lat for _, lat in lonlat) < SOUTH_LIMIT + 3:
                    continue  # islands at the map's southern edge
                points = [to_px(lon, lat) for lon, lat in lonlat]
                points = simplify(points, TOLERANCE)
                rounded = []
                for x, y in points:
                    point = (round(x, 1), round(y, 1))
                    if not rounded or point != rounded[-1]:
                        rounded.append(point)
                if len(rounded) < 3:
                    continue
                xs += [p[0] for p in rounded]
                ys += [p[1] for p in rounded]
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in rounded) + "Z")
        if not parts:
            continue
        key = alpha2 or "_" + name.lower().replace(" ", "-").replace(".", "")
        shapes[key] = {
            "alpha3": countries.alpha3(alpha2) if alpha2 else "",
            "name": countries.name(alpha2) if alpha2 else name,
            "d": "".join(parts),
            "bbox": [min(xs), min(ys), max(xs), max(ys)],
        }
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    output = {
        "source": "world-atlas 2.0.2 countries-50m (Natural Earth), Equal Earth projection",
        "width": WIDTH,
        "height": height,
        "countries": dict(sorted(shapes.items())),
    }
    TARGET.write_text(json.dumps(output, separators=(",", ":")) + "\n")
    print(f"{TARGET.relative_to(ROOT)}: {len(shapes)} countries, {TARGET.stat().st_size} bytes")


if __name__ == "__main__":
    main()
