"""Downloads and feeds: BibTeX, RIS and CSL-JSON for a paper, an author row or a cluster; Atom feeds.

Thin: the text comes from `papers/exports.py`, the querysets from QuerySet methods. Each download runs
a fixed number of queries whatever the number of papers (tests/test_export_views.py).
"""

import json

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from authors.models import Author, NameCluster
from authors.views import author_or_survivor
from papers.exports import papers_bibtex, papers_csl_json, papers_for_export, papers_ris
from papers.models import Paper
from papers.templatetags.arrow_text import rich_text

FEED_LIMIT = 50

FORMATS = {
    # format: (file extension, content type, renderer of a list of papers)
    "bib": ("bib", "text/x-bibtex; charset=utf-8", papers_bibtex),
    "ris": ("ris", "application/x-research-info-systems; charset=utf-8", papers_ris),
    "json": (
        "json",
        "application/vnd.citationstyles.csl+json; charset=utf-8",
        lambda papers: json.dumps(papers_csl_json(papers), ensure_ascii=False, indent=2),
    ),
}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise Http404("Unknown export format.")


def _download(papers, fmt: str, stem: str) -> HttpResponse:
    extension, content_type, render = FORMATS[fmt]
    response = HttpResponse(render(list(papers)), content_type=content_type)
    # The stem is built from ids and slugs only, so it needs no quoting.
    response["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    return response


def live_author_or_redirect(pk: int, url_name: str, **kwargs):
    """The live author row, or a 301 to the same URL on the row a tombstone was merged into."""
    author, survivor = author_or_survivor(pk)
    if survivor is None:
        return author, None
    return None, HttpResponsePermanentRedirect(reverse(url_name, kwargs={"pk": survivor.pk, **kwargs}))


def paper_export(request, pk: int, fmt: str):
    _check_format(fmt)
    paper = get_object_or_404(papers_for_export(Paper.objects.all()), pk=pk)
    return _download([paper], fmt, f"arrow-paper-{paper.pk}")


def author_export(request, pk: int, fmt: str):
    _check_format(fmt)
    author, redirect = live_author_or_redirect(pk, "authors:export", fmt=fmt)
    if redirect:
        return redirect
    papers = papers_for_export(Paper.objects.by_author(author.pk).newest_first())
    return _download(papers, fmt, f"arrow-author-{author.pk}")


def cluster_export(request, slug: str, fmt: str):
    _check_format(fmt)
    cluster = get_object_or_404(NameCluster, slug=slug)
    papers = papers_for_export(Paper.objects.in_cluster(cluster).newest_first())
    return _download(papers, fmt, f"arrow-cluster-{cluster.slug}")


class PapersFeed(Feed):
    """New papers first: the newest added to Arrow, whatever their publication year."""

    feed_type = Atom1Feed

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Atom's summary is type="html": the abstract escaped first, with only our own emphasis and
        # math tags (as the pages show it), so markup in imported data stays text in a feed reader.
        return rich_text(item.abstract)

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return ", ".join(a.printed_name for a in item.authorships.all()) or None

    def _items(self, queryset):
        return queryset.with_authors().order_by("-created_at", "-pk")[:FEED_LIMIT]


class AuthorFeed(PapersFeed):
    def __call__(self, request, *args, **kwargs):
        _, redirect = live_author_or_redirect(kwargs["pk"], "authors:feed")
        return redirect or super().__call__(request, *args, **kwargs)

    def get_object(self, request, pk):
        return get_object_or_404(Author, pk=pk)

    def title(self, obj):
        return f"New papers of {obj.full_name} (row #{obj.pk}) · Arrow"

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self._items(Paper.objects.by_author(obj.pk))


class ClusterFeed(PapersFeed):
    def get_object(self, request, slug):
        return get_object_or_404(NameCluster, slug=slug)

    def title(self, obj):
        return f"New papers for the name {obj.name} · Arrow"

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self._items(Paper.objects.in_cluster(obj))
