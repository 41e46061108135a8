from importlib import import_module

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.module_loading import module_has_submodule

CURATORS_GROUP = "Curators"
CURATED_APPS = ("partnerships", "frameworks", "missions")
NOT_CURATED = ("apitoken",)


def ensure_curators_group(sender, using="default", **kwargs):
    """Give the Curators group every model permission of the curated apps.

    Runs after each migrate, so permissions of models added later are granted too.
    Curators are staff members of this group, never superusers: they have no
    permission on users or groups.
    """
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.using(using).get_or_create(name=CURATORS_GROUP)
    permissions = Permission.objects.using(using).filter(content_type__app_label__in=CURATED_APPS)
    # API tokens are credentials, not facts: superusers manage them, curators do not.
    tokens = permissions.filter(content_type__model__in=NOT_CURATED)
    group.permissions.add(*permissions.exclude(pk__in=tokens))
    group.permissions.remove(*tokens)


def declared(submodule: str, name: str) -> list:
    """What the curated apps declare for the core in ``<app>.<submodule>.<name>`` (a tuple),
    in app order: how the core shows the apps' things (search kinds, the partner admin's
    inlines) without importing any app by name, as Django's admin finds ``admin.py``."""
    found = []
    for config in apps.get_app_configs():
        if config.name in CURATED_APPS[1:] and module_has_submodule(config.module, submodule):
            found.extend(getattr(import_module(f"{config.name}.{submodule}"), name, ()))
    return found


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partners, sources and milestones"

    def ready(self):
        # After every app migrates: permissions of all curated apps exist by the last one.
        post_migrate.connect(ensure_curators_group, dispatch_uid="ensure_curators_group")
        # SQLite's search index follows the searched tables (partnerships.search.index).
        from partnerships.search import index

        index.connect()
