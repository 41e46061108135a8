"""``/api/v1/search/``: the knowledge base's search (:mod:`partnerships.search`) as JSON or
CSV, ranked best first and paginated like every list of the API."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.exceptions import ValidationError

from partnerships.api.base import PageNumberPagination, StrictQueryMixin, wants_csv
from partnerships.exports import streamed_csv
from partnerships.search import (
    MAX_QUERY_LENGTH,
    QueryError,
    kinds,
    parse_query,
    resolve_kinds,
    search,
)

CSV_CHUNK = 500


class SearchResultSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="partner, framework, mission, contribution, ...")
    key = serializers.CharField(
        help_text="Natural key: ISO alpha-3 code, slug, source key, milestone or contribution id."
    )
    title = serializers.CharField()
    snippet = serializers.CharField(
        help_text="Plain text (not HTML) around the match; empty when the row has no text."
    )
    highlights = serializers.ListField(
        child=serializers.ListField(
            child=serializers.IntegerField(min_value=0), min_length=2, max_length=2
        ),
        help_text="The matches in the snippet: [start, end] character offsets (end "
        "exclusive), so snippet[start:end] is a matched word.",
    )
    rank = serializers.FloatField(help_text="Higher is better; exact codes and names first.")
    api_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    def get_api_url(self, result) -> str:
        return self.context["request"].build_absolute_uri(result.api_url)

    def get_page_url(self, result) -> str:
        return self.context["request"].build_absolute_uri(result.page_url)


class SearchView(StrictQueryMixin, generics.GenericAPIView):
    """Search partners, frameworks, missions, milestones, cooperation areas and sources.

    Type what you remember: an acronym (`PfP`, `KFOR`), a code (`GEO`), another or an old
    name (`Macedonia`, `FYROM`, `Kiev`, `Turkey`), a theme (`piracy`) or a misspelling
    (`Mediteranean`); accents are optional (`Turkiye`). Exact codes, acronyms and names come
    first, then matches in names, then in descriptions. The query takes web-search syntax
    (`"a phrase"`, `-word`, `or`). Snippets are plain text with the offsets of their
    matches in `highlights`.
    """

    permission_classes = [permissions.AllowAny]
    serializer_class = SearchResultSerializer
    pagination_class = PageNumberPagination
    filter_backends = []
    query_parameters = ("q", "kind")
    throttle_scope = "search"

    def get_queryset(self):
        """Results come from several models, not one queryset: the browsable API then
        shows no filter form (instead of failing to build one)."""
        return []

    @extend_schema(
        operation_id="search",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description=f"What to look for (1 to {MAX_QUERY_LENGTH} characters).",
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                many=True,
                enum=list(kinds()),
                description="Only these kinds of result (repeat for several).",
            ),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["json", "csv", "csv-excel"]),
        ],
        responses=SearchResultSerializer(many=True),
    )
    def get(self, request):
        params = request.query_params
        errors = {}
        try:
            query = parse_query(params.get("q"))
        except QueryError as exc:
            errors["q"] = [str(exc)]
        try:
            names = params.getlist("kind")
            resolve_kinds(names)
        except QueryError as exc:
            errors["kind"] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        results = search(query, names)
        if wants_csv(request):
            header = ["kind", "key", "title", "rank", "api_url", "page_url"]
            return streamed_csv(request, "search", header, self.csv_rows(results))
        page = self.paginate_queryset(results)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def csv_rows(self, results):
        """Every hit, fetched CSV_CHUNK at a time (a query per kind in each chunk)."""
        absolute = self.request.build_absolute_uri
        for start in range(0, len(results), CSV_CHUNK):
            for r in results[start : start + CSV_CHUNK]:
                yield [r.kind, r.key, r.title, r.rank, absolute(r.api_url), absolute(r.page_url)]
