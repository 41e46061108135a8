"""The OpenAPI schema's shared parts, so a generated client can use every answer: CSV is
declared as text, the errors every operation can answer (400, 404, 429) as JSON with
one ``Error`` schema, and the optimistic locking of the curated viewsets (``ETag``,
``If-Match``, 412: :mod:`partnerships.api.locking`). Named in settings
(``DEFAULT_SCHEMA_CLASS``)."""

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent

from partnerships.api.locking import (
    PRECONDITION_FAILED_SCHEMA,
    WRITES,
    OptimisticLockMixin,
    schema_parameters,
)
from partnerships.api.reasons import ChangeReasonMixin
from partnerships.api.reasons import schema_parameters as reason_parameters

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error. `detail` says what went wrong (404, 429, 401, 403); a 400 "
    "names each parameter or field at fault with its messages (`non_field_errors` for "
    "the others), e.g. an unknown query parameter with the accepted ones.",
    "properties": {
        "detail": {"type": "string"},
        "request_id": {
            "type": "string",
            "description": "The request's id in the logs, on errors answered before the API "
            "views (e.g. a malformed URL, a body too large).",
        },
    },
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

ERRORS = {
    "400": "A malformed or unknown query parameter (named in the body with the accepted "
    "ones), or invalid data in a write.",
    "404": "No such object, or a page past the last one.",
    "429": "Too many requests from an anonymous client; retry after the `Retry-After` seconds.",
}

CSV_SCHEMA = {
    "type": "string",
    "description": "CSV (UTF-8, a header row): with `?format=csv` or `Accept: text/csv`, "
    "or `?format=csv-excel` for the same with a byte order mark for Excel; a list streams "
    "its whole filtered set, a detail gives the list's columns for its one row. Text a "
    "spreadsheet would run as a formula is written with a leading apostrophe.",
}


class AutoSchema(openapi.AutoSchema):
    def locked_action(self) -> str | None:
        """The action of a viewset with optimistic locking, else None."""
        if isinstance(self.view, OptimisticLockMixin):
            return getattr(self.view, "action", None)
        return None

    def get_override_parameters(self):
        reasoned = getattr(self.view, "action", None)
        if not isinstance(self.view, ChangeReasonMixin):
            reasoned = None
        return [
            *super().get_override_parameters(),
            *schema_parameters(self.locked_action()),
            *reason_parameters(reasoned),
        ]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for response in responses.values():
            content = response.get("content", {})
            if "text/csv" in content:
                content["text/csv"] = {"schema": CSV_SCHEMA}
        error = ResolvedComponent(
            name="Error", type=ResolvedComponent.SCHEMA, object="Error", schema=ERROR_SCHEMA
        )
        self.registry.register_on_missing(error)
        for code, description in ERRORS.items():
            json = {"application/json": {"schema": error.ref}}
            responses.setdefault(code, {"content": json, "description": description})
        if self.locked_action() in WRITES:
            stale = ResolvedComponent(
                name="PreconditionFailed",
                type=ResolvedComponent.SCHEMA,
                object="PreconditionFailed",
                schema=PRECONDITION_FAILED_SCHEMA,
            )
            self.registry.register_on_missing(stale)
            responses["412"] = {
                "headers": self._get_response_headers_for_code("412", direction),
                "content": {"application/json": {"schema": stale.ref}},
                "description": "The record changed since the version sent in `If-Match`: "
                "nothing was written.",
            }
        return responses
