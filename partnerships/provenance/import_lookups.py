"""The rows a CSV import refers to (partners, missions, sources...), loaded once per file,
with misses worded for a curator ('unknown source key "x": did you mean "y"?').

The import validates each row with the API's serializer, but its related fields would ask
the database once per value and row; :func:`bind_lookups` swaps them for fields reading
these lookups, so validating a file costs a fixed number of queries.
"""

from __future__ import annotations

import difflib

from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

SUGGESTIONS = 3


class Lookup:
    """Objects by the key a CSV names them with (a slug, an ISO code, a source key or id)."""

    def __init__(self, noun: str, objects: dict, normalise=str.strip, listed: bool = False):
        self.noun = noun
        self.objects = objects
        self.normalise = normalise
        self.listed = listed  # a short, fixed list: name every valid value in the message

    def get(self, value):
        key = self.normalise(str(value))
        if key in self.objects:
            return self.objects[key]
        raise serializers.ValidationError(self.miss(key))

    def miss(self, key: str) -> str:
        keys = sorted(k for k in self.objects if not k.isdigit())
        if self.listed:
            return f'{self.noun} "{key}" is not one of: {", ".join(keys)}.'
        close = difflib.get_close_matches(key, keys, n=SUGGESTIONS, cutoff=0.6)
        hint = f" Did you mean {' or '.join(f'{c!r}' for c in close)}?" if close else ""
        return f'Unknown {self.noun} "{key}".{hint}'


class LookupField(serializers.Field):
    """A related field of the import: one object (or a list) from a :class:`Lookup`."""

    def __init__(self, lookup: Lookup, many: bool = False, allow_empty: bool = True, **kwargs):
        self.lookup = lookup
        self.many = many
        self.allow_empty = allow_empty
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not self.many:
            return self.lookup.get(data)
        values = data if isinstance(data, list) else [data]
        if not values and not self.allow_empty:
            raise serializers.ValidationError(f"Give at least one {self.lookup.noun}.")
        found, errors = [], []
        for value in values:
            try:
                found.append(self.lookup.get(value))
            except serializers.ValidationError as exc:
                errors.extend(exc.detail)
        if errors:
            raise serializers.ValidationError(errors)
        return found

    def to_representation(self, value):  # pragma: no cover - the import only writes
        return value


def bind_lookups(serializer, lookups: dict[str, Lookup]) -> None:
    """Replace ``serializer``'s writable related fields named in ``lookups``."""
    for name, lookup in lookups.items():
        original = serializer.fields.get(name)
        if original is None or original.read_only:
            continue
        many = isinstance(original, ManyRelatedField)
        if not many and not isinstance(original, RelatedField):
            continue
        serializer.fields[name] = LookupField(
            lookup,
            many=many,
            allow_empty=getattr(original, "allow_empty", True),
            required=original.required,
        )
