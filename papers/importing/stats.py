"""Planner statistics and GIN upkeep for the tables an import writes: ANALYZE as they grow and at the
end, and the GIN pending lists merged once the file is in."""

from django.db import connection

from authors.models import Author, AuthorKey, NameCluster
from papers.models import IDENTIFIER_FIELDS, Authorship, Paper, PaperSource, Venue

# Papers created before the first mid-import ANALYZE (Statistics.as_tables_grow).
ANALYZE_FIRST = 10_000
# What analyze_tables() samples; with lookups_only, just these columns (none: the table is skipped).
LOOKUP_COLUMNS = {
    Paper: ("id", *IDENTIFIER_FIELDS, "title_key", "year"),
    PaperSource: ("paper_id", "source", "source_id"),
    Authorship: ("paper_id", "author_id", "position"),
    Venue: (),
    Author: ("id", "cluster_id", "merged_into_id"),
    AuthorKey: ("source", "key", "author_id"),
    NameCluster: ("id", "key"),
}
# The tables an import writes: ANALYZE'd, GIN lists merged and, on a first load, locked.
IMPORT_MODELS = tuple(LOOKUP_COLUMNS)


class Statistics:
    """ANALYZE whenever an import has doubled what it created since the last time (from ANALYZE_FIRST
    papers on).

    Without statistics (a new database) or with stale ones (a first big import), the planner takes
    each `= ANY(2,000 keys)` lookup to match a large share of the table and scans it whole, every
    batch. ANALYZE counts this transaction's own uncommitted rows, so fresh statistics bring the index
    lookups back; doubling keeps it to a handful of runs per import. papers_paper is left out while
    matching has not had to look (only its lookups read the paper columns), and sampled once when it
    starts (papers_needed).
    """

    def __init__(self):
        self.created_since_analyze = 0
        self.papers_skipped = False

    def as_tables_grow(self, created: int, total: int, *, matching: bool) -> None:
        """`created` papers more, of `total` this import has created so far."""
        self.created_since_analyze += created
        if self.created_since_analyze >= max(ANALYZE_FIRST, total - self.created_since_analyze):
            models = IMPORT_MODELS if matching else tuple(m for m in IMPORT_MODELS if m is not Paper)
            self.papers_skipped |= not matching
            analyze_tables(lookups_only=True, models=models)
            self.created_since_analyze = 0

    def papers_needed(self) -> None:
        """Matching starts reading papers_paper: sample it if a mid-import ANALYZE left it out."""
        if self.papers_skipped:
            analyze_tables(lookups_only=True, models=(Paper,))


def refresh_after_import() -> None:
    """Statistics and GIN indexes brought up to what the import wrote."""
    analyze_tables()
    flush_gin_pending_lists()


def analyze_tables(*, lookups_only: bool = False, models=IMPORT_MODELS) -> None:
    """Refresh PostgreSQL's planner statistics after an import: row estimates from before a big
    import (or -1 before the first ANALYZE) make it pick sequential scans and bad joins.

    `lookups_only` samples just the columns the importer's own lookups filter and join on, for the
    runs in the middle of an import: statistics of the search vector, names and JSON columns cost
    most of a full ANALYZE and no lookup reads them.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in models:
            columns = LOOKUP_COLUMNS[model]
            if lookups_only and not columns:
                continue
            column_list = f" ({', '.join(map(quote, columns))})" if lookups_only else ""
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)}{column_list}")


def flush_gin_pending_lists() -> None:
    """Move the entries an import left in its tables' GIN pending lists into the indexes proper.

    GIN writes new entries to an unsorted pending list (`fastupdate`) that every search then reads
    in full until autovacuum merges it; the merge is work VACUUM would do anyway.
    """
    if connection.vendor != "postgresql":
        return
    tables = [model._meta.db_table for model in IMPORT_MODELS]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i"
            " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam"
            " WHERE am.amname = 'gin' AND i.indrelid::regclass::text = ANY(%s)"
            # Only the index's owner may (an import role granted writes only leaves it to VACUUM).
            " AND pg_has_role(c.relowner, 'USAGE')",
            [tables],
        )
