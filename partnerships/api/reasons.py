"""Why a curator's API write was made: the ``Change-Reason`` header, kept in history.

The admin asks every change for its reason; an API client gives it in a header, since the
body is the record itself. A write (POST, PUT, PATCH, DELETE) is one change: one history
version per object it touches, with the reason and the user (as the admin's saves, see
:mod:`partnerships.provenance.recording`). The header is optional; a value over the
history column's length or holding control characters is a 400 naming it.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions

from partnerships.provenance.recording import REASON_MAX_LENGTH, recording

HEADER = "Change-Reason"
REASON_HELP = (
    f"Why this change is made (up to {REASON_MAX_LENGTH} characters), kept in the history "
    "of every record the write touches and shown on /history/ and in the release changelog."
)


def change_reason(request) -> str | None:
    """The request's reason, trimmed; None without one. Raises a 400 on a bad value."""
    value = request.headers.get(HEADER)
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > REASON_MAX_LENGTH:
        raise exceptions.ValidationError(
            {HEADER: [f"At most {REASON_MAX_LENGTH} characters (this one has {len(value)})."]}
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise exceptions.ValidationError({HEADER: ["Control characters are not allowed."]})
    return value


class ChangeReasonMixin:
    """A model viewset's writes as one recorded change each, with the ``Change-Reason``."""

    def create(self, request, *args, **kwargs):
        with recording(reason=change_reason(request), user=request.user):
            return super().create(request, *args, **kwargs)

    def update(self, request, *args, **kwargs):
        with recording(reason=change_reason(request), user=request.user):
            return super().update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        with recording(reason=change_reason(request), user=request.user):
            return super().destroy(request, *args, **kwargs)


def schema_parameters(action: str | None) -> list[OpenApiParameter]:
    """The header, on the actions that write."""
    if action not in ("create", "update", "partial_update", "destroy"):
        return []
    return [
        OpenApiParameter(HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, description=REASON_HELP)
    ]
