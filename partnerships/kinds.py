"""The kinds of fact the knowledge base holds, listed once.

Every place that walks the kinds reads this table: the knowledge loader and the dataset
export (in load order), the bulk CSV import, the counts on the home and about pages, the
sources' "cited by" counts and lists, history's labels and links. Adding a kind is one row
here plus its app's files (model, loader and exporter in its ``knowledge.py``, serializer,
admin); ``tests/project/test_layering.py`` checks that every curated model with sources has
a row.

This is the one core module that names the apps' models; it names them by label, so the
core imports no app. Code in the core that needs an app's model asks :func:`model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class FactKind:
    """One kind of fact.

    ``key`` names the kind everywhere: its folder under ``data/``, its file in an export,
    its counts. ``loader`` and ``exporter`` are dotted paths of the functions that read and
    write its rows in the knowledge-file format; a kind ``nested_in`` another is loaded and
    exported inside its parent's rows (figures inside contributions). ``serializer`` makes
    it importable from CSV. ``source_relation`` is the reverse name on Source when sources
    cite it; ``label_paths`` are the related rows its label reads; ``label_parent`` a row
    whose label prefixes its own; ``own_page`` says it has an analysts' page;
    ``natural_key`` names the fields of an exported row that identify it (the export sorts
    by them, in Python, so every database gives the same order and checksum).
    """

    key: str
    model_label: str
    title: str
    loader: str = ""
    exporter: str = ""
    nested_in: str = ""
    serializer: str = ""
    source_relation: str = ""
    label_paths: tuple[str, ...] = ()
    label_parent: str = ""
    own_page: bool = False
    natural_key: tuple[str, ...] = ()

    @cached_property
    def model(self):
        return apps.get_model(self.model_label)

    @property
    def label_lower(self) -> str:
        return self.model_label.lower()

    @property
    def singular(self) -> str:
        return str(self.model._meta.model_name)

    def load(self, ctx, rows: list[dict]) -> None:
        import_string(self.loader)(ctx, rows)

    def export(self) -> list[dict]:
        return import_string(self.exporter)()


KINDS: tuple[FactKind, ...] = (
    FactKind(
        "sources",
        "partnerships.Source",
        "sources",
        loader="partnerships.knowledge.load_sources",
        exporter="partnerships.knowledge.export_sources",
        own_page=True,
        natural_key=("key",),
    ),
    FactKind(
        "cooperation_areas",
        "partnerships.CooperationArea",
        "cooperation areas",
        loader="partnerships.knowledge.load_cooperation_areas",
        exporter="partnerships.knowledge.export_cooperation_areas",
        natural_key=("slug",),
    ),
    FactKind(
        "partners",
        "partnerships.Partner",
        "partner nations",
        loader="partnerships.knowledge.load_partners",
        exporter="partnerships.knowledge.export_partners",
        source_relation="partners",
        own_page=True,
        natural_key=("iso3",),
    ),
    FactKind(
        "frameworks",
        "frameworks.Framework",
        "frameworks",
        loader="frameworks.knowledge.load_frameworks",
        exporter="frameworks.knowledge.export_frameworks",
        source_relation="frameworks",
        own_page=True,
        natural_key=("slug",),
    ),
    FactKind(
        "participations",
        "frameworks.Participation",
        "participations",
        loader="frameworks.knowledge.load_participations",
        exporter="frameworks.knowledge.export_participations",
        serializer="frameworks.api.ParticipationSerializer",
        source_relation="participations",
        label_paths=("partner", "framework"),
        natural_key=("partner", "framework", "start"),
    ),
    FactKind(
        "missions",
        "missions.Mission",
        "missions and exercises",
        loader="missions.knowledge.load_missions",
        exporter="missions.knowledge.export_missions",
        source_relation="missions",
        own_page=True,
        natural_key=("slug",),
    ),
    FactKind(
        "contributions",
        "missions.Contribution",
        "contributions",
        loader="missions.knowledge.load_contributions",
        exporter="missions.knowledge.export_contributions",
        serializer="missions.api.ContributionSerializer",
        source_relation="contributions",
        label_paths=("partner", "mission"),
        natural_key=("partner", "mission", "start"),
    ),
    FactKind(
        "figures",
        "missions.ContributionFigure",
        "personnel figures",
        nested_in="contributions",
        serializer="missions.api.FigureSerializer",
        source_relation="figures",
        label_paths=("contribution__partner", "contribution__mission"),
        label_parent="contribution",
    ),
    FactKind(
        "milestones",
        "partnerships.Milestone",
        "milestones",
        loader="partnerships.knowledge.load_milestones",
        exporter="partnerships.knowledge.export_milestones",
        source_relation="milestones",
        label_paths=("partner",),
        natural_key=("partner", "date", "title"),
    ),
)

BY_KEY = {kind.key: kind for kind in KINDS}
BY_LABEL = {kind.label_lower: kind for kind in KINDS}


def kind(key: str) -> FactKind:
    return BY_KEY[key]


def model(key: str):
    """The model of a kind of fact (``model("participations")``)."""
    return BY_KEY[key].model


def of(instance_or_model) -> FactKind | None:
    """The kind of a model, an instance or a historical record's instance."""
    return BY_LABEL.get(instance_or_model._meta.label_lower)


def loaded() -> list[FactKind]:
    """The kinds with files of their own, in load order (a kind refers only to earlier ones)."""
    return [k for k in KINDS if not k.nested_in]


def cited() -> list[FactKind]:
    """The kinds that cite sources, in the order source pages list them."""
    return [k for k in KINDS if k.source_relation]


def importable() -> dict[str, FactKind]:
    """The kinds a curator can import from CSV, by key."""
    return {k.key: k for k in KINDS if k.serializer}
