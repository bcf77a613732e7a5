"""Upkeep the importer and curation share: the cluster of each name, and the denormalized counts of
author rows and clusters."""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from psycopg import sql

from arrow_site.slugs import unique_slugs
from authors.models import Author, NameCluster
from authors.names import accent_fold, cluster_key, cluster_slug_base, split_homonym
from papers.bulk import any_of, array_param, chunked, insert_rows
from papers.models import Authorship


def clusters_resolve(*, names: Iterable[str]) -> dict[str, NameCluster]:
    """Map each name's cluster key to its cluster, creating missing clusters with unique slugs."""
    ids = cluster_ids_resolve(names=names)
    clusters = NameCluster.objects.in_bulk(set(ids.values()))
    return {key: clusters[pk] for key, pk in ids.items()}


def cluster_ids_resolve(*, names: Iterable[str]) -> dict[str, int]:
    """`clusters_resolve` by id, for the importer: it needs only ids, so thousands of clusters per batch
    are neither loaded as model instances nor created with bulk_create."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(cluster_key(name), name)
    found = dict(NameCluster.objects.filter(any_of("key", wanted)).values_list("key", "pk"))
    missing = [key for key in wanted if key not in found]
    if not missing:
        return found
    slugs = unique_slugs(NameCluster, {key: cluster_slug_base(wanted[key]) for key in missing})
    rows = []
    for key in missing:
        name = split_homonym(wanted[key])[0]
        rows.append((key, name, slugs[key], accent_fold(name)))
    found.update(zip(missing, insert_rows(NameCluster, ["key", "name", "slug", "search_name"], rows), strict=True))
    return found


def author_cluster_ids(author_ids: Iterable[int]) -> set[int]:
    """The clusters these author rows sit in."""
    cluster_ids = set()
    for chunk in chunked(author_ids):
        cluster_ids.update(Author.objects.filter(any_of("pk", chunk)).values_list("cluster_id", flat=True))
    return cluster_ids


def authors_refresh_counts(*, author_ids: Iterable[int]) -> None:
    """Recompute `Author.paper_count` for these rows from their authorships (one UPDATE per chunk;
    on PostgreSQL, of every row at once when these are half the table or more)."""
    if connection.vendor == "postgresql":
        author_ids = set(author_ids)
        if len(author_ids) >= WHOLE_TABLE_MIN and 2 * len(author_ids) >= Author.objects.count():
            _refresh_all_author_counts()
        else:
            _refresh_counts_sql(AUTHOR_COUNTS_SQL, author_ids)
        return
    papers = (
        Authorship.objects.filter(author=OuterRef("pk"))
        .order_by()
        .values("author")
        .annotate(n=Count("paper", distinct=True))
        .values("n")
    )
    for chunk in chunked(author_ids):
        Author.objects.filter(pk__in=chunk).update(
            paper_count=Coalesce(Subquery(papers, output_field=IntegerField()), Value(0))
        )


def clusters_refresh_counts(*, cluster_ids: Iterable[int]) -> None:
    """Recompute a cluster's live author rows and distinct papers (one UPDATE per chunk)."""
    if connection.vendor == "postgresql":
        _refresh_counts_sql(CLUSTER_COUNTS_SQL, cluster_ids)
        return
    rows = (
        Author.objects.active()
        .filter(cluster=OuterRef("pk"))
        .order_by()
        .values("cluster")
        .annotate(n=Count("pk"))
        .values("n")
    )
    papers = (
        Authorship.objects.filter(author__cluster=OuterRef("pk"), author__merged_into__isnull=True)
        .order_by()
        .values("author__cluster")
        .annotate(n=Count("paper", distinct=True))
        .values("n")
    )
    for chunk in chunked(cluster_ids):
        NameCluster.objects.filter(pk__in=chunk).update(
            author_count=Coalesce(Subquery(rows, output_field=IntegerField()), Value(0)),
            paper_count=Coalesce(Subquery(papers, output_field=IntegerField()), Value(0)),
        )


# PostgreSQL: the same counts, set-based. The ORM's correlated subqueries run once per row, and an import
# touches every row it created; one grouped join per chunk is a hash join, and rows whose counts are
# already right are not rewritten (a small re-import touches few).
AUTHOR_COUNTS_SQL = sql.SQL("""
    UPDATE {author} a SET paper_count = s.n
    FROM (
        SELECT ids.id, count(DISTINCT s.paper_id) AS n
        FROM unnest({ids}) AS ids(id) LEFT JOIN {authorship} s ON s.author_id = ids.id
        GROUP BY ids.id
    ) s
    WHERE a.id = s.id AND a.paper_count IS DISTINCT FROM s.n
""")
CLUSTER_COUNTS_SQL = sql.SQL("""
    UPDATE {cluster} c SET author_count = s.authors, paper_count = s.papers
    FROM (
        SELECT ids.id,
            count(DISTINCT a.id) AS authors,
            count(DISTINCT s.paper_id) AS papers
        FROM unnest({ids}) AS ids(id)
        LEFT JOIN {author} a ON a.cluster_id = ids.id AND a.merged_into_id IS NULL
        LEFT JOIN {authorship} s ON s.author_id = a.id
        GROUP BY ids.id
    ) s
    WHERE c.id = s.id AND (c.author_count, c.paper_count) IS DISTINCT FROM (s.authors, s.papers)
""")
# Every row's count, when most rows are to be refreshed (a first load: all of them). Reading a fresh
# table's authorships through the (author, paper) index fetches every heap row besides, in the index's
# order (its visibility map is empty until a VACUUM, which cannot run inside the import's transaction),
# so one scan of the table sorted by author is much cheaper. The planner prefers the index, whose order
# saves the sort, so it is turned off for this statement. Rows already right are not rewritten, as above.
AUTHOR_COUNTS_ALL_SQL = sql.SQL("""
    UPDATE {author} a SET paper_count = s.n
    FROM (
        SELECT x.id, coalesce(c.n, 0) AS n
        FROM {author} x LEFT JOIN (
            SELECT author_id, count(DISTINCT paper_id) AS n FROM {authorship} GROUP BY author_id
        ) c ON c.author_id = x.id
    ) s
    WHERE a.id = s.id AND a.paper_count IS DISTINCT FROM s.n
""")
# Below this many rows a refresh takes the chunked path without counting the table (a merge's two).
WHOLE_TABLE_MIN = 1000
# Rows per statement: big enough that a large import makes few statements, small enough that one
# array parameter stays a few hundred kilobytes.
SQL_CHUNK = 50_000


def _refresh_counts_sql(statement: sql.SQL, ids: Iterable[int]) -> None:
    ids = sorted(set(ids))
    with connection.cursor() as cursor:
        for start in range(0, len(ids), SQL_CHUNK):
            array, param = array_param(ids[start : start + SQL_CHUNK])
            cursor.execute(_counts_statement(statement, ids=sql.SQL(array)), [param])


def _counts_statement(statement: sql.SQL, **values) -> sql.Composed:
    """A count statement with its tables named (a statement ignores the names it does not use)."""
    return statement.format(
        author=sql.Identifier(Author._meta.db_table),
        authorship=sql.Identifier(Authorship._meta.db_table),
        cluster=sql.Identifier(NameCluster._meta.db_table),
        **values,
    )


def _refresh_all_author_counts() -> None:
    index_scans = "SELECT set_config('enable_indexscan', %s, true), set_config('enable_indexonlyscan', %s, true)"
    with transaction.atomic(), connection.cursor() as cursor:
        # A local setting lasts to the end of the transaction: the values before are put back after.
        cursor.execute("SELECT current_setting('enable_indexscan'), current_setting('enable_indexonlyscan')")
        before = cursor.fetchone()
        cursor.execute(index_scans, ["off", "off"])
        cursor.execute(_counts_statement(AUTHOR_COUNTS_ALL_SQL))
        cursor.execute(index_scans, before)
