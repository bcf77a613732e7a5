"""Public JSON API for papers and search: thin views over the same QuerySet methods as the pages.

Queries per request, whatever the page size (tests/test_api.py): a list is the count, the page of
papers with venues, and their authorships with rows; search adds its clusters.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response

from arrow_site.api.responses import responses
from authors.models import NameCluster
from authors.serializers import ClusterSerializer
from papers.filters import MAX_ID, TEXT_MAX_LENGTH, YEAR_MAX, YEAR_MIN, PaperFilter, PaperNarrowFilter
from papers.models import MAX_QUERY_LENGTH, SEARCH_CANDIDATES, Paper, RankedPapers, clean_query
from papers.serializers import PaperSerializer, SearchPaperSerializer
from papers.views import SEARCH_LIMIT

# The filters as the schema gives them. django-filter's own description says "number" for years
# and ids (the form fields take whole numbers only) and leaves out the bounds the forms enforce.
YEAR = {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}
FILTER_PARAMETERS = {
    "year": OpenApiParameter("year", YEAR, description="Published in this year."),
    "year_min": OpenApiParameter("year_min", YEAR, description="Published in this year or later."),
    "year_max": OpenApiParameter("year_max", YEAR, description="Published in this year or earlier."),
    "venue": OpenApiParameter(
        "venue", {"type": "string", "maxLength": TEXT_MAX_LENGTH}, description="Venue short name, in any case: neurips."
    ),
    "author": OpenApiParameter(
        "author", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, description="Has this author row."
    ),
    "q": OpenApiParameter(
        "q",
        {"type": "string", "maxLength": TEXT_MAX_LENGTH},
        description="Title contains (on PostgreSQL: a full-text match, as in /api/search/).",
    ),
}


def filter_parameters(*names: str) -> list[OpenApiParameter]:
    return [FILTER_PARAMETERS[name] for name in names]


# Every list of papers takes all of them (`type` and `o` are described well by django-filter itself).
PAPER_LIST_PARAMETERS = filter_parameters("q", "year", "year_min", "year_max", "venue", "author")


class PaperListMixin:
    """A list of papers with the paper list's query-string filters (papers/filters.py); a bad value
    is a 400 naming it. Views say which papers in `get_papers()`."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = PaperFilter

    def get_queryset(self):
        # drf-spectacular asks for the queryset without a request, only to learn the filters' model.
        if getattr(self, "swagger_fake_view", False):
            return Paper.objects.none()
        return self.get_papers()


@extend_schema(
    parameters=PAPER_LIST_PARAMETERS,
    responses=responses(PaperSerializer(many=True), 400, 404),
)
class PaperListApi(PaperListMixin, generics.ListAPIView):
    """Papers, newest first (or by `o`), narrowed by the same filters as the /papers/ page."""

    serializer_class = PaperSerializer

    def get_papers(self):
        return Paper.objects.for_listing().newest_first()


@extend_schema(responses=responses(PaperSerializer, 404))
class PaperDetailApi(generics.RetrieveAPIView):
    """One paper with its venue, identifiers and authors in order."""

    serializer_class = PaperSerializer
    queryset = Paper.objects.for_listing()
    lookup_url_kwarg = "id"


class SearchQuerySerializer(serializers.Serializer):
    # Like the search page: a long query is cut, not refused, and a blank one finds nothing (whether
    # a string is blank is Python's idea of whitespace, which a JSON Schema pattern cannot state).
    q = serializers.CharField(
        allow_blank=True,
        help_text=f"What to look for; cut to {MAX_QUERY_LENGTH} characters. Only spaces find nothing.",
    )

    def validate_q(self, value):
        return clean_query(value)


@extend_schema_serializer(many=False)
class SearchResultsSerializer(serializers.Serializer):
    q = serializers.CharField(help_text="The query as searched (trimmed, cut to length).")
    clusters = ClusterSerializer(many=True, help_text=f"Name clusters that match, best first, at most {SEARCH_LIMIT}.")
    count = serializers.IntegerField(help_text=f"Papers ranked, over all pages: at most {SEARCH_CANDIDATES}.")
    more_than_ranked = serializers.BooleanField(
        help_text=f"More papers match than the newest {SEARCH_CANDIDATES} that were ranked: narrow the search."
    )
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = SearchPaperSerializer(many=True, help_text="This page of papers, best match first.")


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, required=True, description=SearchQuerySerializer().fields["q"].help_text),
        *filter_parameters("year", "year_min", "year_max", "venue"),
    ],
    responses=responses(SearchResultsSerializer, 400, 404),
)
class SearchApi(PaperListMixin, generics.ListAPIView):
    """Search like the /search/ page: name clusters first, then papers by relevance, paginated.

    Websearch syntax ("a phrase", -word, or), ranked: PostgreSQL full text with typo-tolerant names;
    SQLite's FTS5 index (papers/fts.py). As on the page, the filters narrow the papers before the newest
    SEARCH_CANDIDATES matches are ranked, and the candidates' ids give the count without a COUNT.
    """

    serializer_class = SearchPaperSerializer
    filterset_class = PaperNarrowFilter

    def get_papers(self):
        return Paper.objects.all()

    def list(self, request, *args, **kwargs):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        q = params.validated_data["q"]
        narrowed = self.filter_queryset(self.get_queryset())
        # A blank query finds nothing, without SQL.
        results = narrowed.ranked_results(q) if q else RankedPapers(Paper.objects.none(), [])
        page = self.paginate_queryset(results)
        # NameCluster.objects.search is none() for a blank query: no SQL at all.
        clusters = NameCluster.objects.search(q)[:SEARCH_LIMIT]
        context = self.get_serializer_context()
        return Response(
            {
                "q": q,
                "clusters": ClusterSerializer(clusters, many=True, context=context).data,
                "count": results.count(),
                "more_than_ranked": results.more_than_ranked,
                "next": self.paginator.get_next_link(),
                "previous": self.paginator.get_previous_link(),
                "results": self.get_serializer(page, many=True).data,
            }
        )
