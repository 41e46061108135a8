"""The review queue: one list, across every kind of fact, of what needs a curator.

- facts resting only on press-or-lower sources (press, reference works, copies: the
  source's reliability tier);
- figures that disagree (source reconciliation), until a curator prefers one;
- the consistency findings (a joining milestone against its participation, a mission's
  stated partner count against its rows).

A finding a curator marked reviewed or dismissed (:class:`partnerships.review.ReviewMark`)
leaves the queue until its fact changes again.
"""

from __future__ import annotations

from dataclasses import dataclass

from partnerships import kinds
from partnerships.models import Source
from partnerships.provenance.labels import admin_change_url, dated_label
from partnerships.provenance.locking import version_of
from partnerships.provenance.quality import _only_on, disagreements
from partnerships.review import ReviewMark

LOW_TIERS = [Source.Tier.PRESS, Source.Tier.REFERENCE, Source.Tier.COPY]
SHOWN = 100  # items listed per finding; the count says how many in all
LABEL_PATHS = {
    "participations": ("partner", "framework"),
    "contributions": ("partner", "mission"),
    "milestones": ("partner",),
}


@dataclass
class Item:
    kind: str  # the key of its kind of fact
    obj: object
    finding: str
    detail: str = ""
    version: str = ""

    @property
    def label(self) -> str:
        return dated_label(self.obj)

    @property
    def url(self) -> str:
        return admin_change_url(self.obj)


@dataclass
class Finding:
    code: str
    title: str
    items: list

    @property
    def shown(self) -> list:
        return self.items[:SHOWN]


def _low_tier() -> list[Finding]:
    found = []
    for key, paths in LABEL_PATHS.items():
        rows = _only_on(kinds.model(key), LOW_TIERS).select_related(*paths)
        items = [Item(key, obj, f"{key}-press-or-lower", version=version_of(obj)) for obj in rows]
        title = f"{kinds.kind(key).title.capitalize()} resting only on press or lower sources"
        found.append(Finding(f"{key}-press-or-lower", title, items))
    figures = (
        kinds.model("figures")
        .objects.filter(source__tier__in=LOW_TIERS)
        .select_related("contribution__partner", "contribution__mission", "source")
        .order_by("pk")
    )
    items = [
        Item("figures", f, "figures-press-or-lower", f"{f.source} ({f.source.tier})", version_of(f))
        for f in figures
    ]
    found.append(Finding("figures-press-or-lower", "Figures from a press or lower source", items))
    return found


def _disagreeing() -> Finding:
    items = []
    for d in disagreements():
        first = d.figures[0]
        detail = "; ".join(f"{f.personnel} ({f.as_of_display}, {f.source})" for f in d.figures)
        version = max(version_of(f) for f in d.figures)  # any of its figures changing
        items.append(Item("figures", first, "figures-disagree", detail, version))
    return Finding("figures-disagree", "Figures that disagree (prefer one to resolve)", items)


def _consistency() -> list[Finding]:
    from partnerships.provenance.consistency import (
        descriptions_contradicting_rows,
        joins_contradicting_participation,
    )

    found = []
    for key, code, title, reasons, paths in (
        (
            "milestones",
            "milestones-joins-contradict-participation",
            "Joining milestones whose date contradicts the participation's start",
            joins_contradicting_participation(),
            ("partner",),
        ),
        (
            "missions",
            "missions-description-count-contradicts-rows",
            "Missions whose description states fewer partners than are recorded",
            descriptions_contradicting_rows(),
            (),
        ),
    ):
        rows = kinds.model(key).objects.filter(pk__in=list(reasons)).select_related(*paths)
        items = [Item(key, o, code, reasons[o.pk], version_of(o)) for o in rows.order_by("pk")]
        found.append(Finding(code, title, items))
    return found


def open_marks() -> dict:
    """(kind, id, finding) -> the version of the fact its latest mark judged."""
    latest = {}
    for kind, object_id, finding, version in ReviewMark.objects.order_by("time", "pk").values_list(
        "kind", "object_id", "finding", "fact_version"
    ):
        latest[(kind, object_id, finding)] = version
    return latest


def queue() -> list[Finding]:
    """Every finding with the items still waiting for a curator."""
    marks = open_marks()
    findings = [*_low_tier(), _disagreeing(), *_consistency()]
    for finding in findings:
        finding.items = [
            item
            for item in finding.items
            if marks.get((item.kind, item.obj.pk, item.finding)) != item.version
        ]
    return [f for f in findings if f.items]


def codes() -> set[str]:
    return {
        *(f"{key}-press-or-lower" for key in (*LABEL_PATHS, "figures")),
        "figures-disagree",
        "milestones-joins-contradict-participation",
        "missions-description-count-contradicts-rows",
    }
