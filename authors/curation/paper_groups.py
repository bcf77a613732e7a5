"""The split page's read: an author row's papers as groups of its co-author graph, for the curator to
tick a group and split it off."""

from django.db import models

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
    parent = {pk: pk for pk in papers}

    def find(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    first_paper_of: dict[int, int] = {}
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
        if coauthor_id in first_paper_of:
            parent[find(paper_id)] = find(first_paper_of[coauthor_id])
        else:
            first_paper_of[coauthor_id] = paper_id
    groups: dict[int, list[Paper]] = {}
    for pk, paper in papers.items():
        groups.setdefault(find(pk), []).append(paper)
    # dicts keep insertion order: within a group, newest paper first, as queried.
    return sorted(groups.values(), key=lambda g: (-len(g), not g[0].coauthor_names))
