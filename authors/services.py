"""Writes that span author rows and clusters: cluster resolution, denormalized counts, curation.

Called by the importer, the admin, management commands and tests alike.
"""

from collections.abc import Iterable

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from arrow_site.slugs import unique_slugs
from authors.models import Author, NameCluster
from authors.names import cluster_key, cluster_slug_base, split_homonym
from papers.models import Authorship

# Keeps `pk IN (...)` lists well under SQLite's variable limit and PostgreSQL's planner sweet spot.
CHUNK = 5000


def _chunks(ids: Iterable[int]):
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def clusters_resolve(*, names: Iterable[str]) -> dict[str, NameCluster]:
    """Map each name's cluster key to its cluster, creating missing clusters with unique slugs."""
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(cluster_key(name), name)
    found = {c.key: c for c in NameCluster.objects.filter(key__in=list(wanted))}
    missing = [key for key in wanted if key not in found]
    if not missing:
        return found
    slugs = unique_slugs(NameCluster, {key: cluster_slug_base(wanted[key]) for key in missing})
    new = [NameCluster(key=key, name=split_homonym(wanted[key])[0], slug=slugs[key]) for key in missing]
    for cluster in NameCluster.objects.bulk_create(new):
        found[cluster.key] = cluster
    return found


def authors_refresh_counts(*, author_ids: Iterable[int]) -> None:
    """Recompute `Author.paper_count` for these rows from their authorships (one UPDATE per chunk)."""
    papers = (
        Authorship.objects.filter(author=OuterRef("pk"))
        .order_by()
        .values("author")
        .annotate(n=Count("paper", distinct=True))
        .values("n")
    )
    for chunk in _chunks(author_ids):
        Author.objects.filter(pk__in=chunk).update(
            paper_count=Coalesce(Subquery(papers, output_field=IntegerField()), Value(0))
        )


def clusters_refresh_counts(*, cluster_ids: Iterable[int]) -> None:
    """Recompute a cluster's live author rows and distinct papers (one UPDATE per chunk)."""
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
    for chunk in _chunks(cluster_ids):
        NameCluster.objects.filter(pk__in=chunk).update(
            author_count=Coalesce(Subquery(rows, output_field=IntegerField()), Value(0)),
            paper_count=Coalesce(Subquery(papers, output_field=IntegerField()), Value(0)),
        )
