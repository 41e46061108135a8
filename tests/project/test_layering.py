"""The layering rule of CONVENTIONS.md, as a check.

- ``frameworks`` and ``missions`` build on the core: they import only its public modules
  (listed here), never the composing package, a page module of the core or a topic module
  of the core's API.
- In the core, only the composing modules reach the apps: ``compose/``, ``views/``,
  ``api/``, the management commands (the loaders) and the project's root URLconf. Every
  other core module reaches an app's model through :mod:`partnerships.kinds`, the one
  module that names them (by label).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

from partnerships import kinds

ROOT = Path(__file__).resolve().parents[2]
APPS = ("frameworks", "missions")
# The core's modules the apps may import: its models, rules, base classes and helpers.
PUBLIC = {
    "partnerships.admin",
    "partnerships.admin_columns",
    "partnerships.api.base",
    "partnerships.api.fields",
    "partnerships.api.known_at",
    "partnerships.api.lean",
    "partnerships.api.locking",
    "partnerships.api.reasons",
    "partnerships.apps",
    "partnerships.charts",
    "partnerships.coverage",
    "partnerships.dates",
    "partnerships.exports",
    "partnerships.filtersets",
    "partnerships.kinds",
    "partnerships.knowledge",
    "partnerships.models",
    "partnerships.search",
    "partnerships.status",
    "partnerships.validation",
    "partnerships.views.common",
}
# The core's modules that compose the apps (and may import them).
COMPOSING = ("compose/", "views/", "api/", "management/commands/", "urls.py", "kinds.py")
APP_LABEL = re.compile(r"""["'](frameworks|missions)\.[A-Za-z_]+""")


def python_files(folder: str):
    for path in sorted((ROOT / folder).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return found


def test_the_rule_sees_the_tree():
    """The check reads real files (a wrong ROOT would pass every test below vacuously)."""
    assert len(list(python_files("partnerships"))) > 40
    assert "partnerships.models" in imported_modules(ROOT / "frameworks" / "models.py")


@pytest.mark.parametrize("app", APPS)
def test_apps_import_only_the_cores_public_modules(app):
    wrong = []
    for path in python_files(app):
        for module in imported_modules(path):
            if not module.startswith("partnerships"):
                continue
            # "from partnerships.x import Y" lists both the module and module.Y.
            if module in PUBLIC or any(module.startswith(p + ".") for p in PUBLIC):
                continue
            if module == "partnerships":
                continue
            wrong.append(f"{path.relative_to(ROOT)}: {module}")
    assert not wrong, "apps import the core's internals:\n" + "\n".join(wrong)


def test_only_the_composing_modules_of_the_core_reach_the_apps():
    wrong = []
    for path in python_files("partnerships"):
        relative = path.relative_to(ROOT / "partnerships").as_posix()
        if relative.startswith(COMPOSING):
            continue
        for module in imported_modules(path):
            if module.split(".")[0] in APPS:
                wrong.append(f"partnerships/{relative}: imports {module}")
        for match in APP_LABEL.finditer(path.read_text()):
            wrong.append(f"partnerships/{relative}: names {match.group(0)}'")
    assert not wrong, "core modules reaching into the apps:\n" + "\n".join(wrong)


def test_every_fact_with_sources_is_a_kind():
    """A model that cites sources (a ``sources`` link or a ``source`` key) is in the table
    of kinds, so the loader, the export, the source pages and history know it."""
    listed = {kind.model for kind in kinds.KINDS}
    citing = [
        model
        for model in apps.get_models()
        if model._meta.app_label in ("partnerships", *APPS)
        and not model.__name__.startswith("Historical")
        and any(f.name in ("sources", "source") for f in model._meta.get_fields())
    ]
    assert citing, "no model cites sources: the check looks at the wrong thing"
    missing = [m.__name__ for m in citing if m not in listed]
    assert not missing, f"models that cite sources but are not in partnerships.kinds: {missing}"


def test_the_kinds_table_is_whole():
    """Every kind's loader, exporter and serializer can be imported; nested kinds name a
    kind that exists; every cited kind is a reverse relation of Source."""
    from django.utils.module_loading import import_string

    from partnerships.models import Source

    for kind in kinds.KINDS:
        for path in (kind.loader, kind.exporter, kind.serializer):
            if path:
                assert callable(import_string(path)), path
        if kind.nested_in:
            assert kind.nested_in in kinds.BY_KEY
        else:
            assert kind.loader and kind.exporter, kind.key
        if kind.source_relation:
            assert Source._meta.get_field(kind.source_relation).related_model is kind.model
