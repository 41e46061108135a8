"""The API's JSON parser: DRF's, with nesting too deep for Python's parser (``[[[[...``)
answered 400 like any other malformed body instead of a RecursionError (500)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
