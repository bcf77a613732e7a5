"""Downloads and Atom feeds of an author row or a name cluster (the text comes from papers/exports.py)."""

from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from authors.models import Author, NameCluster
from authors.selectors import author_or_survivor
from papers.downloads import PapersFeed, check_format, download
from papers.exports import papers_for_export
from papers.models import Paper


def live_author_or_redirect(pk: int, url_name: str, **kwargs):
    """The live author row, or a 301 to the same URL on the row a tombstone was merged into."""
    author, survivor = author_or_survivor(pk)
    if survivor is None:
        return author, None
    return None, HttpResponsePermanentRedirect(reverse(url_name, kwargs={"pk": survivor.pk, **kwargs}))


def author_export(request, pk: int, fmt: str):
    check_format(fmt)
    author, redirect = live_author_or_redirect(pk, "authors:export", fmt=fmt)
    if redirect:
        return redirect
    papers = papers_for_export(Paper.objects.by_author(author.pk).newest_first())
    return download(papers, fmt, f"arrow-author-{author.pk}")


def cluster_export(request, slug: str, fmt: str):
    check_format(fmt)
    cluster = get_object_or_404(NameCluster, slug=slug)
    papers = papers_for_export(Paper.objects.in_cluster(cluster).newest_first())
    return download(papers, fmt, f"arrow-cluster-{cluster.slug}")


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
