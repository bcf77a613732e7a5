"""A paper row's links and authors for a page, in one query of plain values: model instances and a
`reverse()` per link were most of a list page's time outside the template."""

from collections.abc import Iterable
from typing import NamedTuple

from arrow_site.links import url_prefix
from papers.models import Authorship, Paper


class AuthorLink(NamedTuple):
    pk: int
    url: str
    printed_name: str
    full_name: str
    cluster_id: int

    @property
    def row_label(self) -> str:
        return f"{self.full_name} (row #{self.pk})"


def with_author_links(papers: Iterable[Paper]) -> list[Paper]:
    """The papers as a list, each with `href`, `venue_href` and `author_links` in order (one query)."""
    papers = list(papers)
    if not papers:
        return papers
    author_prefix = url_prefix("authors:detail")
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
        paper.href = paper.get_absolute_url()
        paper.venue_href = paper.venue.get_absolute_url() if paper.venue_id else ""
    return papers
