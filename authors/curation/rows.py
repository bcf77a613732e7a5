"""What every curation does to the author rows it touches: lock them first, refresh what counts them after."""

from collections.abc import Iterable

from authors.curation.work import refresh_after_curation
from authors.models import Author
from authors.upkeep import author_cluster_ids, authors_refresh_counts, clusters_refresh_counts


def lock_authors(ids: Iterable[int]) -> dict[int, Author]:
    """Lock rows in primary-key order: two curators locking overlapping rows never deadlock."""
    rows = Author.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
    return {row.pk: row for row in rows}


def refresh_rows(author_ids: Iterable[int]) -> None:
    """Counts of these rows and of every cluster they sit in, and (once this commits) those clusters'
    curator work items."""
    author_ids = set(author_ids)
    authors_refresh_counts(author_ids=author_ids)
    cluster_ids = author_cluster_ids(author_ids)
    clusters_refresh_counts(cluster_ids=cluster_ids)
    refresh_after_curation(cluster_ids)
