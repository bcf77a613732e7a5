"""Filters inside a name-cluster page: year, venue, type and author row, offered from the cluster's own papers."""

import django_filters

from papers.filters import FilterForm
from papers.models import Paper


def row_choice_label(row) -> str:
    """'Ada Lovelace (row #4, 1 paper)'."""
    return f"{row.full_name} (row #{row.pk}, {row.paper_count} paper{'' if row.paper_count == 1 else 's'})"


class ClusterPaperFilter(django_filters.FilterSet):
    """Choices come from the cluster's own (year, venue, type) `facets` and `rows`, fetched by the view,
    so a select never offers a value that finds nothing."""

    year = django_filters.ChoiceFilter(label="Year", empty_label="Any year")
    venue = django_filters.ChoiceFilter(field_name="venue__short_name", label="Venue", empty_label="Any venue")
    type = django_filters.ChoiceFilter(field_name="pub_type", label="Type", empty_label="Any type")
    author = django_filters.ChoiceFilter(method="filter_author", label="Author row", empty_label="Any row")

    class Meta:
        model = Paper
        form = FilterForm
        fields = ["year", "venue", "type", "author"]

    def __init__(self, data=None, *args, facets=(), rows=(), **kwargs):
        super().__init__(data, *args, **kwargs)
        years = sorted({year for year, _, _ in facets if year is not None}, reverse=True)
        venues = sorted({venue for _, venue, _ in facets if venue}, key=str.casefold)
        types = {pub_type for _, _, pub_type in facets}
        self.filters["year"].extra["choices"] = [(str(y), str(y)) for y in years]
        self.filters["venue"].extra["choices"] = [(v, v) for v in venues]
        self.filters["type"].extra["choices"] = [(k, label) for k, label in Paper.Type.choices if k in types]
        self.filters["author"].extra["choices"] = [(str(row.pk), row_choice_label(row)) for row in rows]

    def filter_author(self, queryset, name, value):
        return queryset.by_author(int(value))
