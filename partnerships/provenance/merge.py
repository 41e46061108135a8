"""Merging sources that are one document: every citation re-pointed to the kept record.

Every relation to Source counts, found from the models themselves so none is missed: the
facts' ``sources`` (the fact-kind table's ``source_relation``), a partner's accession
sources, a figure's source, a mission's or framework's coverage sources. Each fact that
changes gets one version with the reason; the merged-away sources are deleted with it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from partnerships.models import Source
from partnerships.provenance.recording import recording
from partnerships.provenance.releases import curated_models


def source_relations():
    """(model, field) for every foreign key and many-to-many field to Source."""
    for model in curated_models():
        for field in model._meta.concrete_fields:
            if field.many_to_one and field.related_model is Source:
                yield model, field
        for field in model._meta.many_to_many:
            if field.related_model is Source:
                yield model, field


def merge_sources(keep: Source, others, reason: str, user=None) -> dict[str, int]:
    """Re-point every citation of ``others`` to ``keep`` and delete ``others``; one change
    with ``reason``. Returns how many citations moved, by model (verbose name plural).
    Raises ValidationError (nothing written) when a moved citation would duplicate one
    the kept source already has (e.g. the same figure from both)."""
    others = [s for s in others if s.pk != keep.pk]
    moved: dict[str, int] = {}
    with recording(reason=reason, user=user):
        for model, field in source_relations():
            label = str(model._meta.verbose_name_plural)
            rows = model.objects.filter(**{f"{field.name}__in": others}).distinct()
            for obj in rows:
                if field.many_to_many:
                    manager = getattr(obj, field.name)
                    manager.remove(*others)
                    manager.add(keep)
                else:
                    setattr(obj, field.name, keep)
                    try:
                        obj.full_clean()
                    except ValidationError as exc:
                        raise ValidationError(
                            f"{obj} cannot move to {keep.key!r}: {'; '.join(exc.messages)}"
                        ) from None
                    obj.save()
                moved[label] = moved.get(label, 0) + 1
        for source in others:
            source.delete()
    return moved
