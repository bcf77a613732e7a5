"""The split page's read: an author row's papers as groups of its co-author graph, for the curator to
tick a group and split it off."""

from django.db import models

from authors.curation.grouping import PaperEvidence, coauthor_components
from authors.models import Author
from papers.models import Authorship, Paper


def author_paper_groups(*, author: Author) -> list[list[Paper]]:
    """The row's papers as connected groups of the co-author graph (the row itself left out).

    Two papers are in one group when a chain of shared co-author rows links them, so a row that
    mixes two people usually shows as two groups. Each paper gets `.coauthor_names` (in order).
    Biggest groups first; papers without co-authors come last, one group each. Three queries.
    """
    papers = {
        p.pk: p
        for p in Paper.objects.filter(authorships__author=author)
        .select_related("venue")
        .distinct()
        .order_by(models.F("year").desc(nulls_last=True), "-pk")
    }
    coauthors: dict[int, set[int]] = {pk: set() for pk in papers}
    for paper in papers.values():
        paper.coauthor_names = []
    rows = (
        Authorship.objects.filter(paper__authorships__author=author)
        .exclude(author=author)
        .order_by("paper_id", "position")
        .values_list("paper_id", "author_id", "printed_name")
    )
    for paper_id, coauthor_id, printed_name in rows:
        papers[paper_id].coauthor_names.append(printed_name)
        coauthors[paper_id].add(coauthor_id)
    components = coauthor_components([PaperEvidence(pk, frozenset(ids)) for pk, ids in coauthors.items()])
    # Within a group, newest paper first, as queried; among groups of one size, those with co-authors first.
    groups = [[papers[pk] for pk in component] for component in components]
    return sorted(groups, key=lambda g: (-len(g), not g[0].coauthor_names))
