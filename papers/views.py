"""Public pages for papers and venues: home, paper list, paper, venues, search."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, TemplateView

from arrow_site.paginators import PublicListPaginator, table_row_estimates
from authors.models import Author, NameCluster
from papers.filters import PaperFilter, PaperNarrowFilter
from papers.highlight import has_match, highlight_html
from papers.listing import with_author_links
from papers.models import Paper, Venue, clean_query
from papers.page_mixins import SEARCH_LIMIT, FilteredListMixin, LenientPaginationMixin, PaperPageMixin


class HomeView(TemplateView):
    template_name = "papers/home.html"

    def get_context_data(self, **kwargs):
        querysets = {
            "paper_count": Paper.objects.all(),
            "author_count": Author.objects.active(),
            "cluster_count": NameCluster.objects.with_papers(),
            "venue_count": Venue.objects.all(),
        }
        estimates = table_row_estimates(*(queryset.model for queryset in querysets.values()))
        counts = {name: count_or_estimate(qs, estimates[qs.model]) for name, qs in querysets.items()}
        return super().get_context_data(**counts, **kwargs)


def count_or_estimate(queryset, estimate: int) -> int:
    """An exact count, or for a big table the planner's estimate (tombstones and all: close enough),
    since its COUNT(*) would cost every home page a second."""
    if estimate > PublicListPaginator.estimate_above:
        return estimate
    return queryset.count()


class PaperListView(FilteredListMixin, ListView):
    template_name = "papers/paper_list.html"
    paginator_class = PublicListPaginator
    filterset_class = PaperFilter

    def get_base_queryset(self):
        return Paper.objects.with_venue().newest_first()


class PaperDetailView(DetailView):
    template_name = "papers/paper_detail.html"
    queryset = Paper.objects.with_venue().prefetch_related("sources")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        # One canonical URL per paper.
        if kwargs.get("slug") != self.object.slug:
            return HttpResponsePermanentRedirect(self.object.get_absolute_url())
        with_author_links([self.object])
        return self.render_to_response(self.get_context_data(object=self.object))


class VenueListView(LenientPaginationMixin, ListView):
    template_name = "papers/venue_list.html"
    paginate_by = 100
    queryset = Venue.objects.annotate(num_papers=Count("papers")).order_by("short_name")


class VenueDetailView(PaperPageMixin, ListView):
    template_name = "papers/venue_detail.html"
    paginator_class = PublicListPaginator

    def get_queryset(self):
        self.venue = get_object_or_404(Venue, slug=self.kwargs["slug"])
        return Paper.objects.filter(venue=self.venue).with_venue().newest_first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(venue=self.venue, **kwargs)


class SearchForm(forms.Form):
    # No max_length: a longer query is cut, not refused.
    q = forms.CharField(label="Search", required=False, strip=True)

    def clean_q(self):
        return clean_query(self.cleaned_data["q"])


class SearchView(TemplateView):
    """One box: author name clusters first, then papers by relevance with a highlighted snippet."""

    template_name = "papers/search.html"

    def get(self, request, *args, **kwargs):
        form = SearchForm(request.GET)
        context = self.get_context_data(form=form)
        if not form.is_valid():
            return self.render_to_response(context, status=400)
        q = form.cleaned_data["q"]
        if q:
            results = self.filterset.qs.ranked_results(q, authors_prefetched=False)
            page = Paginator(results, SEARCH_LIMIT).get_page(request.GET.get("page"))
            papers = with_author_links(page.object_list)
            for paper in papers:
                paper.snippet = highlight_html(paper.headline) if has_match(paper.headline) else ""
            context.update(
                q=q,
                clusters=list(NameCluster.objects.search(q)[:SEARCH_LIMIT]),
                papers=papers,
                page_obj=page,
                is_paginated=page.has_other_pages(),
                limit=SEARCH_LIMIT,
                reset_url=f"{request.path}?{urlencode({'q': q})}",
                more_than_ranked=results.more_than_ranked,
            )
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        # `qs` skips an invalid filter (the form says why), so a bad shared link still shows results.
        self.filterset = PaperNarrowFilter(self.request.GET, queryset=Paper.objects.all())
        return super().get_context_data(filter=self.filterset, **kwargs)
