"""Public pages for name clusters and author rows. Thin: querysets come from QuerySet methods."""

from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from authors.filters import ClusterPaperFilter
from authors.models import Author, NameCluster
from authors.selectors import author_coauthor_graph_chart, author_papers_per_year_chart, cluster_timeline_chart
from papers.models import Paper
from papers.views import FilteredListMixin, LenientPaginationMixin

HISTORY_LIMIT = 100
COAUTHOR_LIMIT = 10


class ClusterDetailView(FilteredListMixin, ListView):
    """A name cluster: its author rows and their papers, newest first, narrowed in the page.

    Queries (tests/test_pages_queries.py): cluster, its rows, the facets for the filter choices,
    the page count, the page of papers with venues, their authorships with rows, and on the first
    page the timeline's marks. Seven on the first page, six on the others, whatever the cluster's size.
    """

    template_name = "authors/cluster_detail.html"
    filterset_class = ClusterPaperFilter

    def get_base_queryset(self):
        self.cluster = get_object_or_404(NameCluster, slug=self.kwargs["slug"])
        self.rows = list(Author.objects.in_cluster(self.cluster))
        return Paper.objects.in_cluster(self.cluster).for_listing().newest_first()

    def get_filterset(self, queryset):
        facets = Paper.objects.in_cluster(self.cluster).order_by().values_list("year", "venue__short_name", "pub_type")
        return self.filterset_class(
            self.request.GET or None, queryset=queryset, facets=list(facets.distinct()), rows=self.rows
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(cluster=self.cluster, rows=self.rows, **kwargs)
        # The timeline draws every paper of the cluster (and its text alternative lists them all): on
        # the first page only, so that the later pages of a big cluster stay small. It reuses the rows
        # already loaded: one more query (their papers' years and venues).
        if context["page_obj"].number == 1:
            context["timeline"] = cluster_timeline_chart(cluster=self.cluster, rows=self.rows)
        return context


def author_or_survivor(pk: int) -> tuple[Author, Author | None]:
    """The author row of a URL (cluster joined) and, for a tombstone, the live row it was merged into,
    which every author URL redirects to; 404 for no such row or a broken merge chain."""
    author = get_object_or_404(Author.objects.select_related("cluster"), pk=pk)
    if author.merged_into_id is None:
        return author, None
    survivor = Author.objects.follow_merges(author)
    if survivor is None:
        raise Http404("This author row was merged into a row that no longer exists.")
    return author, survivor


class AuthorDetailView(LenientPaginationMixin, ListView):
    """An author row: who, its cluster, its papers, frequent co-authors, and its curation history.

    A merged row (tombstone) answers 301 to the row it was merged into, so old links keep working.
    """

    template_name = "authors/author_detail.html"

    def get(self, request, *args, **kwargs):
        self.author, survivor = author_or_survivor(kwargs["pk"])
        if survivor is not None:
            return HttpResponsePermanentRedirect(survivor.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Paper.objects.by_author(self.author.pk).for_listing().newest_first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            author=self.author,
            coauthors=list(Author.objects.coauthors_of(self.author, limit=COAUTHOR_LIMIT)),
            history=list(self.author.curation_events.all()[:HISTORY_LIMIT]),
            per_year=author_papers_per_year_chart(author=self.author),
            coauthor_graph=author_coauthor_graph_chart(author=self.author),
            **kwargs,
        )
