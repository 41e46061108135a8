"""The dataset version an export names: a release, or the changes since the last one."""

from django.db.models import Max


def last_change():
    """The time of the latest change to any curated fact: additions and edits from the
    objects' ``updated`` timestamps, deletions from their history."""
    from .releases import curated_models

    latest = None
    for model in curated_models():
        edited = model.objects.aggregate(m=Max("updated"))["m"]
        deleted = model.history.filter(history_type="-").aggregate(m=Max("history_date"))["m"]
        for value in (edited, deleted):
            if value and (latest is None or value > latest):
                latest = value
    return latest


def dataset_version() -> str:
    """ "1.2.0" when nothing changed since release 1.2.0; "unreleased changes since 1.2.0"
    after it; "unreleased (last change <time>)" before any release."""
    from .models import Release

    release = Release.objects.order_by("-created").first()
    latest = last_change()
    if release is not None:
        if latest is None or latest <= release.created:
            return release.version
        return f"unreleased changes since {release.version}"
    if latest is None:
        return "empty"
    return f"unreleased (last change {latest.strftime('%Y-%m-%dT%H:%M:%SZ')})"
