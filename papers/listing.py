"""What a paper row on a public page shows, read in bulk: each paper's links and its authors in order.

A page of papers gets its authors in one query of plain values, not a prefetch of Authorship and
Author instances, and its links from one `reverse()` per kind of link, not one per link: those two
were most of a list page's time outside the template (docs/benchmarks.md, "Pages"). The authors are
read at request time, so a merge or a split shows on every page at once.
"""

from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import quote

from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

from papers.models import Authorship, Paper


class AuthorLink(NamedTuple):
    """One author of a paper as printed on it, and the author row it resolves to."""

    pk: int
    url: str
    printed_name: str
    # The row's name as dblp writes it ('Wenxiao Wang 0002'), and its name cluster.
    full_name: str
    cluster_id: int

    @property
    def row_label(self) -> str:
        return f"{self.full_name} (row #{self.pk})"


def url_prefix(name: str, **kwargs) -> str:
    """The URL of `name` up to its last argument, e.g. '/authors/': built once per page, not per link."""
    sentinel = 999_999_999_999
    url = reverse(name, kwargs={**kwargs, "pk": sentinel})
    return url[: url.index(str(sentinel))]


URL_SAFE = RFC3986_SUBDELIMS + "/~:@"


def with_author_links(papers: Iterable[Paper]) -> list[Paper]:
    """The papers (venues joined by the caller) as a list, each with `href`, `venue_href` and
    `author_links` (AuthorLink, in author order). One query, none for no papers."""
    papers = list(papers)
    if not papers:
        return papers
    author_prefix = url_prefix("authors:detail")
    paper_prefix = url_prefix("papers:detail-short")
    venue_prefix = reverse("papers:venues")
    links: dict[int, list[AuthorLink]] = {paper.pk: [] for paper in papers}
    rows = (
        Authorship.objects.filter(paper_id__in=links)
        .order_by("paper_id", "position")
        .values_list(
            "paper_id", "author_id", "printed_name", "author__name", "author__homonym_number", "author__cluster_id"
        )
    )
    for paper_id, author_id, printed_name, name, homonym_number, cluster_id in rows:
        full_name = f"{name} {homonym_number}" if homonym_number else name
        links[paper_id].append(
            AuthorLink(author_id, f"{author_prefix}{author_id}/", printed_name, full_name, cluster_id)
        )
    for paper in papers:
        paper.author_links = links[paper.pk]
        paper.href = f"{paper_prefix}{paper.pk}/{paper.slug}/"
        # Quoted as reverse() quotes it: a venue's slug may hold non-ASCII letters.
        paper.venue_href = f"{venue_prefix}{quote(paper.venue.slug, safe=URL_SAFE)}/" if paper.venue_id else ""
    return papers
