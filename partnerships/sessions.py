"""Django's database sessions, taking a malformed session key from the cookie (a NUL, say)
for no session at all before it reaches a query (PostgreSQL refuses NUL in text, which
would be a 500). Named by SESSION_ENGINE."""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS

KEY_CHARACTERS = frozenset(VALID_KEY_CHARS)  # the characters Django makes keys of


class SessionStore(db.SessionStore):
    def _validate_session_key(self, key):
        return bool(super()._validate_session_key(key)) and set(key) <= KEY_CHARACTERS
