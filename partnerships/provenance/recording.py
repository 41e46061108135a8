"""How a change becomes history: one version per object per change, with its reason.

django-simple-history writes a version on every save and on every many-to-many change,
so saving a fact and setting its sources writes several versions of one change (a fresh
load showed every fact created, then changed). :class:`CuratedHistory` keeps its records
but, inside :func:`recording`, holds them back and writes ONE version per object when the
change is done, with the change's reason, user and moment:

    with recording(reason="Corrected per the 2010 placemat", user=request.user):
        contribution.save()
        contribution.sources.set(sources)

Deletions are written at once (the row is gone after), with the same reason and moment:
what a delete cascaded to shares its parent's ``history_date``, which is how a restore
finds what was deleted with it (:mod:`partnerships.provenance.restore`).

Outside :func:`recording` simple-history behaves as usual, except that a change to a
kept link moves the object's ``updated`` (its version, :mod:`.locking`), as a field
change does.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

REASON_MAX_LENGTH = 100  # simple-history's history_change_reason column


@dataclass
class _Change:
    reason: str | None
    user: object
    moment: object
    pending: dict = field(default_factory=dict)  # (model, pk) -> [type, instance, registrar]


_CURRENT: ContextVar[_Change | None] = ContextVar("current_change", default=None)


def current_reason() -> str | None:
    change = _CURRENT.get()
    return change.reason if change else None


@contextlib.contextmanager
def recording(reason: str | None = None, user=None):
    """Hold back history inside the block and write one version per object touched, with
    ``reason`` (and ``user``, else the request's) at the block's start time. Nested blocks
    keep the outer reason and user unless they give their own."""
    outer = _CURRENT.get()
    if outer is not None:
        reason = reason if reason else outer.reason
        user = user if user is not None else outer.user
    change = _Change(reason=(reason or None), user=user, moment=timezone.now())
    token = _CURRENT.set(change)
    try:
        with transaction.atomic():
            yield change
            _flush(change)
    finally:
        _CURRENT.reset(token)


def _flush(change: _Change, only=None) -> None:
    keys = [only] if only is not None else list(change.pending)
    for key in keys:
        entry = change.pending.pop(key, None)
        if entry is None:
            continue
        history_type, instance, registrar, links_only = entry
        model = type(instance)
        fresh = model._base_manager.filter(pk=instance.pk).first()
        if fresh is None:  # deleted since, within the change: its "-" says it
            continue
        if links_only:  # only kept links changed: the version moves all the same
            model._base_manager.filter(pk=fresh.pk).update(updated=change.moment)
            fresh.updated = change.moment
        for name in ("_change_reason", "_history_user"):
            if hasattr(instance, name):
                setattr(fresh, name, getattr(instance, name))
        registrar.create_historical_record(fresh, history_type)


def _hold(change: _Change, registrar, instance, history_type: str, links_only: bool) -> None:
    key = (type(instance), instance.pk)
    entry = change.pending.get(key)
    if entry is None:
        change.pending[key] = [history_type, instance, registrar, links_only]
        return
    if history_type == "+":
        entry[0] = "+"
    if not links_only:
        entry[3] = False
    entry[1] = instance


class CuratedHistory(HistoricalRecords):
    """simple-history's records, one version per change (see the module's docstring)."""

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if getattr(sender._meta, "simple_history_manager_attribute", None):
            sender._history_registrar = self

    def post_save(self, instance, created, using=None, **kwargs):
        change = _CURRENT.get()
        if (
            change is not None
            and not kwargs.get("raw", False)
            and not hasattr(instance, "skip_history_when_saving")
        ):
            _hold(change, self, instance, "+" if created else "~", links_only=False)
            return
        super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        change = _CURRENT.get()
        if change is not None:
            _flush(change, only=(type(instance), instance.pk))
        super().post_delete(instance, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if action != "post_clear" and not pk_set:
            return  # an add or remove that changed nothing
        if hasattr(instance, "skip_history_when_saving") or reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        change = _CURRENT.get()
        if change is not None:
            _hold(change, self, instance, "~", links_only=True)
            return
        # The version (``updated``) moves with the links, as with a field.
        now = timezone.now()
        type(instance)._base_manager.filter(pk=instance.pk).update(updated=now)
        instance.updated = now
        super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)

    def create_historical_record(self, instance, history_type, using=None):
        change = _CURRENT.get()
        if change is not None:
            instance._history_date = change.moment
            if change.user is not None and not hasattr(instance, "_history_user"):
                instance._history_user = change.user
        try:
            super().create_historical_record(instance, history_type, using=using)
        finally:
            if change is not None:
                del instance._history_date

    def get_change_reason_for_object(self, instance, history_type, using):
        reason = getattr(instance, "_change_reason", None) or current_reason()
        return reason[:REASON_MAX_LENGTH] if reason else None
