"""Public JSON API for papers and search, over the same QuerySet methods as the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response

from arrow_site.api.responses import responses
from authors.models import NameCluster
from authors.serializers import ClusterSerializer
from papers.api_mixins import PAPER_LIST_PARAMETERS, PaperListMixin, filter_parameters
from papers.filters import PaperNarrowFilter
from papers.models import MAX_QUERY_LENGTH, SEARCH_CANDIDATES, Paper, RankedPapers, clean_query
from papers.page_mixins import SEARCH_LIMIT
from papers.serializers import PaperSerializer, SearchPaperSerializer


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
    # Blank is Python's idea of whitespace, which a JSON Schema pattern cannot state: said in help_text.
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
    """Search like the /search/ page: name clusters first, then papers by relevance, paginated."""

    serializer_class = SearchPaperSerializer
    filterset_class = PaperNarrowFilter

    def get_papers(self):
        return Paper.objects.all()

    def list(self, request, *args, **kwargs):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        q = params.validated_data["q"]
        narrowed = self.filter_queryset(self.get_queryset())
        results = narrowed.ranked_results(q) if q else RankedPapers(Paper.objects.none(), [])
        page = self.paginate_queryset(results)
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
