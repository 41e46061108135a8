"""The dataset version an export names: the latest change to any curated fact."""

from django.apps import apps
from django.db.models import Max

from .apps import CURATED_APPS


def last_change():
    """The time of the latest change to any curated fact (from the objects' timestamps)."""
    latest = None
    for app_label in CURATED_APPS:
        for model in apps.get_app_config(app_label).get_models():
            if not any(
                f.name == "updated" for f in model._meta.fields
            ) or model.__name__.startswith("Historical"):
                continue
            value = model.objects.aggregate(m=Max("updated"))["m"]
            if value and (latest is None or value > latest):
                latest = value
    return latest


def dataset_version() -> str:
    """A citable version string: "unreleased (last change 2026-11-25T10:00:00Z)"."""
    latest = last_change()
    if latest is None:
        return "empty"
    return f"unreleased (last change {latest.strftime('%Y-%m-%dT%H:%M:%SZ')})"
