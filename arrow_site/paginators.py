"""Paginators for lists over tables with millions of rows: admin changelists and public pages."""

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property


def table_row_estimates(*models, using: str = "default") -> dict:
    """The planner's row estimates (pg_class.reltuples), one query; -1 when unknown (not PostgreSQL,
    or never analyzed)."""
    estimates = dict.fromkeys(models, -1)
    connection = connections[using]
    if connection.vendor != "postgresql":
        return estimates
    tables = {model._meta.db_table: model for model in models}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE oid = ANY(%s::regclass[])", [list(tables)]
        )
        for name, rows in cursor.fetchall():
            estimates[tables[name]] = rows
    return estimates


def table_row_estimate(model, using: str = "default") -> int:
    return table_row_estimates(model, using=using)[model]


class EstimatedCountPaginator(Paginator):
    """Counts exactly, except a whole big PostgreSQL table, whose COUNT(*) takes seconds (Django #8408):
    the planner's estimate is free and close enough for page links."""

    estimate_above = 100_000

    @cached_property
    def whole_table_estimate(self) -> int | None:
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and not queryset.query.where:
            estimate = table_row_estimate(queryset.model, queryset.db)
            if estimate > self.estimate_above:
                return estimate
        return None

    @cached_property
    def count(self) -> int:
        if self.whole_table_estimate is not None:
            return self.whole_table_estimate
        return super().count


class PublicListPaginator(EstimatedCountPaginator):
    """The public lists: counts stop at `count_cap`, and so do pages. A deep OFFSET, or counting millions
    of matches, costs as much as reading them; the page says so and offers the filters instead."""

    count_cap = 10_000

    @cached_property
    def count(self) -> int:
        if self.whole_table_estimate is not None or not isinstance(self.object_list, QuerySet):
            return super().count
        # A LIMIT subquery stops the count early; without the list's order, or every match is sorted first.
        return self.object_list.order_by()[: self.count_cap + 1].count()

    @property
    def count_is_estimate(self) -> bool:
        return self.whole_table_estimate is not None

    @property
    def count_is_capped(self) -> bool:
        return self.count > self.count_cap

    @cached_property
    def num_pages(self) -> int:
        return min(super().num_pages, -(-self.count_cap // self.per_page))
