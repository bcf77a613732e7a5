"""What the paper lists of both apps' APIs share: the filters, as the schema describes them, and applied."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter

from papers.filters import MAX_ID, TEXT_MAX_LENGTH, YEAR_MAX, YEAR_MIN, PaperFilter
from papers.models import Paper

# django-filter's own description says "number" for years and ids, without the forms' bounds.
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


# `type` and `o` are described well by django-filter itself.
PAPER_LIST_PARAMETERS = filter_parameters("q", "year", "year_min", "year_max", "venue", "author")


class PaperListMixin:
    """Papers from `get_papers()` with the paper list's filters; a bad value is a 400 naming it."""

    filter_backends = [DjangoFilterBackend]
    filterset_class = PaperFilter

    def get_queryset(self):
        # drf-spectacular asks without a request, only to learn the filters' model.
        if getattr(self, "swagger_fake_view", False):
            return Paper.objects.none()
        return self.get_papers()
