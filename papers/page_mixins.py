"""What the paper lists of both apps' pages share: lenient pagination, author links, FilterSet narrowing."""

from papers.listing import with_author_links

PAGE_SIZE = 20
SEARCH_LIMIT = 20


class LenientPaginationMixin:
    """A bad or too-large `page` shows the nearest page, not a 404: a list may shrink under a shared link."""

    paginate_by = PAGE_SIZE

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class PaperPageMixin(LenientPaginationMixin):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["papers"] = with_author_links(context["page_obj"].object_list)
        return context


class FilteredListMixin(PaperPageMixin):
    """A paper list narrowed by a FilterSet; invalid parameters answer 400 with the form's errors."""

    filterset_class = None

    def get_filterset(self, queryset):
        return self.filterset_class(self.request.GET or None, queryset=queryset)

    def get_queryset(self):
        self.filterset = self.get_filterset(self.get_base_queryset())
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        if self.filterset.is_bound and not self.filterset.is_valid():
            response_kwargs["status"] = 400
        return super().render_to_response(context, **response_kwargs)
