"""A record's version for optimistic locking: its last change time."""

from datetime import UTC


def version_of(obj):
    """The version a reader saw: the record's `updated` time in UTC, to the microsecond."""
    return obj.updated.astimezone(UTC).isoformat(timespec="microseconds")


def is_stale(obj, seen_version):
    """True when the record changed since `seen_version` was read."""
    return bool(seen_version) and version_of(obj) != seen_version
