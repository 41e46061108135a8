"""Optimistic locking of the API's writes: the record's version as ``ETag``, ``If-Match``
on a write, 412 when the record changed since (RFC 9110, sections 8.8.3 and 13.1.1).

- The ETag of a record is its version (:func:`partnerships.provenance.locking.version_of`,
  the one string the admin's form and the CSV export carry), quoted: a strong tag,
  ``"2026-12-02T06:05:07.123456+00:00"``. A detail read asked with credentials (a token or
  a session: the answer is private) carries it, as does every successful write (201, 200).
  An anonymous read keeps the ETag of the shared cache instead (a digest of the data stamp
  and the request, :mod:`partnerships.serving.conditional`), which answers its 304s before
  any view runs; that tag is not a record version, and an ``If-Match`` with it is a 412.
- A PUT, PATCH or DELETE with ``If-Match`` whose tags do not name the record's current
  version is refused with 412, nothing written; the JSON body names the current version
  and holds the current record, so a client can show both, and the answer's ``ETag`` is
  the current one. ``If-Match: *`` and a matching tag proceed. Without ``If-Match`` a write
  goes ahead as before (last write wins). A header that is not ``*`` nor a list of quoted
  tags is a 400 naming it; a weak tag (``W/"..."``) never matches (strong comparison), 412.
- The check and the write are one transaction, the row locked (``SELECT ... FOR UPDATE``
  on PostgreSQL) from the check to the commit: two writers sending the same tag cannot
  both pass.
"""

from __future__ import annotations

import re

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions
from rest_framework.response import Response

from partnerships.api.base import wants_csv
from partnerships.provenance.locking import same_version, version_of
from partnerships.serving.conditional import has_credentials

HEADER = "If-Match"
WRITES = ("update", "partial_update", "destroy")
# One element of the list: an optional weak prefix and a quoted tag (RFC 9110 etagc).
_ELEMENT = re.compile(r'\s*(W/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|\Z)')

ETAG_HELP = (
    "The record's version, quoted (a strong tag): send it back in `If-Match` on a write. "
    "Given on a detail read made with a token or a session, and on every write."
)
IF_MATCH_HELP = (
    "Optimistic locking: the `ETag` of the record as you read it. When the record has "
    "changed since, the write is refused with 412 and nothing is written; `*` or no header "
    "writes whatever the record's version (the last write wins). A value that is not `*` "
    "nor a list of quoted tags is a 400."
)
PRECONDITION_FAILED_SCHEMA = {
    "type": "object",
    "description": "The record changed since the version sent in `If-Match`: nothing was "
    "written. `current_version` is its version now (also the answer's `ETag`), `current` "
    "the record as stored now; send the write again with `If-Match` set to that ETag to "
    "keep your values.",
    "properties": {
        "detail": {"type": "string"},
        "sent": {"type": "array", "items": {"type": "string"}},
        "current_version": {"type": "string"},
        "current": {"type": "object", "additionalProperties": {}},
    },
    "required": ["detail", "sent", "current_version", "current"],
}


def entity_tag(version: str) -> str:
    return f'"{version}"'


def parse_if_match(value: str) -> list[str] | None:
    """The tags of an ``If-Match`` value (``["*"]`` for ``*``; a weak tag as ``W/"..."``),
    or None when the value is not a valid list of entity tags."""
    if value.strip() == "*":
        return ["*"]
    tags, position = [], 0
    while position < len(value):
        match = _ELEMENT.match(value, position)
        if match is None:
            return None
        weak, tag = match.groups()
        tags.append(f'W/"{tag}"' if weak else tag)
        position = match.end()
    return tags or None


class PreconditionFailed(Exception):
    def __init__(self, sent: list[str], version: str, current):
        super().__init__(version)
        self.sent, self.version, self.current = sent, version, current


class OptimisticLockMixin:
    """A model viewset's writes checked against ``If-Match``; its details and writes
    carry the record's ``ETag`` (see the module's text). First among a viewset's bases."""

    _record = None

    def get_object(self):
        obj = super().get_object()
        # The method sent, not one the browsable API or OPTIONS try a form with.
        sent = getattr(self.request, "_request", self.request).method
        if self.action in WRITES and sent in ("PUT", "PATCH", "DELETE"):
            obj = self._check_precondition(obj)
        self._record = obj
        return obj

    def _check_precondition(self, obj):
        value = self.request.headers.get(HEADER)
        if value is None:
            return obj
        tags = parse_if_match(value)
        if tags is None:
            raise exceptions.ValidationError(
                {
                    HEADER: [
                        "Not * nor a list of quoted entity tags: send the ETag as read, e.g. "
                        'If-Match: "2026-12-02T06:05:07.123456+00:00".'
                    ]
                }
            )
        model = type(obj)
        rows = model._base_manager.filter(pk=obj.pk)
        if transaction.get_connection(rows.db).in_atomic_block:
            rows = rows.select_for_update()
        stored = rows.values_list("updated", flat=True).first()
        if stored is None:  # deleted meanwhile
            raise exceptions.NotFound()
        if stored != obj.updated:
            # Changed between the read and the lock: answer from the row as locked.
            obj = super().get_object()
        if tags == ["*"]:
            return obj
        current = version_of(obj)
        if any(same_version(tag, current) for tag in tags if not tag.startswith("W/")):
            return obj
        raise PreconditionFailed(tags, current, self.get_serializer(obj).data)

    # -- the writes: one transaction each, the new ETag on the answer ---------------------
    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        return self._with_new_etag(response)

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            response = super().update(request, *args, **kwargs)
        return self._with_new_etag(response)

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._record = serializer.instance

    def _with_new_etag(self, response):
        record = self._record
        if record is None or response.status_code not in (200, 201):
            return response
        # Read back: a change of links alone moves the version in the database only.
        stored = type(record)._base_manager.filter(pk=record.pk).values_list("updated").first()
        if stored is not None:
            record.updated = stored[0]
            response["ETag"] = entity_tag(version_of(record))
        return response

    # -- the reads ----------------------------------------------------------------------
    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        record = self._record
        if (
            record is not None
            and response.status_code == 200
            and getattr(request, "known_at", None) is None
            and not wants_csv(request)
            and has_credentials(request)  # a private answer: the shared cache's tag is not set
        ):
            response["ETag"] = entity_tag(version_of(record))
        return response

    def handle_exception(self, exc):
        if isinstance(exc, PreconditionFailed):
            body = {
                "detail": "The record changed since the version you sent in If-Match: nothing "
                "was written. Compare yours with the current record, then send the write "
                "again with its ETag to keep your values.",
                "sent": exc.sent,
                "current_version": exc.version,
                "current": exc.current,
            }
            return Response(body, status=412, headers={"ETag": entity_tag(exc.version)})
        return super().handle_exception(exc)


def schema_parameters(action: str | None) -> list[OpenApiParameter]:
    """What the OpenAPI schema says of locking for one action of a locked viewset."""
    etag = OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, description=ETAG_HELP
    )
    if action == "retrieve":
        etag.response = [200]
        return [etag]
    if action == "create":
        etag.response = [201]
        return [etag]
    if action in WRITES:
        if_match = OpenApiParameter(
            HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, description=IF_MATCH_HELP
        )
        if action == "destroy":
            etag.response = [412]
        else:
            etag.response = [200, 412]
        return [if_match, etag]
    return []
