"""Public pages for name clusters and author rows."""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from authors.filters import ClusterPaperFilter
from authors.models import Author, NameCluster
from authors.selectors import (
    COAUTHOR_GRAPH_LIMIT,
    ClusterFacts,
    author_coauthor_graph_chart,
    author_coauthors,
    author_or_survivor,
    author_papers_per_year_chart,
)
from papers.models import Paper
from papers.page_mixins import FilteredListMixin, PaperPageMixin

HISTORY_LIMIT = 100
COAUTHOR_LIMIT = 10


class ClusterDetailView(FilteredListMixin, ListView):
    """A name cluster: its author rows and their papers, newest first, narrowed in the page."""

    template_name = "authors/cluster_detail.html"
    filterset_class = ClusterPaperFilter

    def get_base_queryset(self):
        self.cluster = get_object_or_404(NameCluster, slug=self.kwargs["slug"])
        self.rows = list(Author.objects.in_cluster(self.cluster))
        return Paper.objects.in_cluster(self.cluster).with_venue().newest_first()

    def get_filterset(self, queryset):
        self.facts = ClusterFacts(cluster=self.cluster, rows=self.rows)
        return self.filterset_class(
            self.request.GET or None, queryset=queryset, facets=self.facts.facets, rows=self.rows
        )

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # Unnarrowed, the count kept on the cluster saves a COUNT over every paper of a big cluster.
        if not self.is_narrowed():
            paginator.count = self.cluster.paper_count
        return paginator

    def is_narrowed(self) -> bool:
        form = self.filterset.form
        return self.filterset.is_bound and (not form.is_valid() or any(form.cleaned_data.values()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(cluster=self.cluster, rows=self.rows, **kwargs)
        # First page only, from the facts the filter already read (no query).
        if context["page_obj"].number == 1:
            context["timeline"] = self.facts.timeline_chart()
        return context


class AuthorDetailView(PaperPageMixin, ListView):
    """An author row, its papers, co-authors and curation history; a merged row redirects (301)."""

    template_name = "authors/author_detail.html"

    def get(self, request, *args, **kwargs):
        self.author, survivor = author_or_survivor(kwargs["pk"])
        if survivor is not None:
            return HttpResponsePermanentRedirect(survivor.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return Paper.objects.by_author(self.author.pk).with_venue().newest_first()

    def get_paginator(self, queryset, per_page, **kwargs):
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # The count kept on the row: no COUNT of its papers.
        paginator.count = self.author.paper_count
        return paginator

    def get_context_data(self, **kwargs):
        # One read for both the list and the graph (which shows a few more).
        coauthors = list(author_coauthors(self.author, limit=max(COAUTHOR_LIMIT, COAUTHOR_GRAPH_LIMIT)))
        return super().get_context_data(
            author=self.author,
            coauthors=coauthors[:COAUTHOR_LIMIT],
            history=list(self.author.curation_events.all()[:HISTORY_LIMIT]),
            per_year=author_papers_per_year_chart(author=self.author),
            coauthor_graph=author_coauthor_graph_chart(author=self.author, coauthors=coauthors),
            **kwargs,
        )
