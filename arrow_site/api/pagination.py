"""Pages of API lists. DRF imports this early, so no generics or drf-spectacular here (an import cycle)."""

import re

from rest_framework import exceptions, pagination
from rest_framework.response import Response

from arrow_site.paginators import PublicListPaginator

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# A 64-bit id column's bound: PostgreSQL refuses more.
MAX_INT = 2**63 - 1
# Plain ASCII digits only: int() would also take " 2", "٢" and "+2", and forms would take "2.0".
WHOLE_NUMBER_RE = re.compile(r"[0-9]{1,19}")


def positive_int(request, name: str, default: int) -> int:
    """The query parameter `name` as a whole number from 1 to MAX_INT; a 400 for anything else."""
    value = request.query_params.get(name)
    if value is None:
        return default
    if not WHOLE_NUMBER_RE.fullmatch(value) or not 1 <= int(value) <= MAX_INT:
        raise exceptions.ValidationError({name: [f"Must be a whole number from 1 to {MAX_INT}."]})
    return int(value)


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered and counted like the HTML lists (PublicListPaginator). Stricter than DRF's: a malformed
    `page` or `page_size` is a 400, so a client with a bug hears about it."""

    django_paginator_class = PublicListPaginator
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()

    def get_page_number(self, request, paginator):
        return positive_int(request, self.page_query_param, default=1)

    def get_page_size(self, request):
        return min(positive_int(request, self.page_size_query_param, default=self.page_size), self.max_page_size)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.count,
                "count_is_estimate": paginator.count_is_estimate,
                "count_is_capped": paginator.count_is_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        properties = paginated["properties"]
        properties["count"]["description"] = "Matches over all pages: exact unless a flag below says otherwise."
        flags = {
            "count_is_estimate": "`count` is the planner's estimate of a whole table of more than 100,000 rows.",
            "count_is_capped": "More than 10,000 match: `count` says 10,001 and pages stop at the 10,000th.",
        }
        extra = {name: {"type": "boolean", "description": text} for name, text in flags.items()}
        paginated["properties"] = {"count": properties.pop("count"), **extra, **properties}
        paginated["required"] = list(paginated["properties"])
        return paginated

    def get_schema_operation_parameters(self, view):
        page, size = super().get_schema_operation_parameters(view)
        page["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
        page["description"] = "Page number, from 1. A page past the last one is a 404."
        size["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_INT}
        size["description"] = f"Results per page: {PAGE_SIZE} by default, at most {MAX_PAGE_SIZE} (larger is capped)."
        return [page, size]
