"""Group one name's papers into persons from co-author evidence: plain data in, groups out.

Pure Python with no database access, so the same function serves the curator's split suggestions
(fed from the database by `authors.suggestions`) and the quality benchmark (fed from a generated
corpus by `bench/suggestions_quality.py`).
"""

import math
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field

# A shared co-author is direct evidence; a co-author's co-author only places the paper in a community.
DIRECT_WEIGHT = 3


@dataclass(frozen=True)
class PaperEvidence:
    """One paper of the name being grouped: its co-authors (the name itself left out) and venue.

    Co-authors are any hashable identity: author row ids from the database, or names in the benchmark.
    """

    paper_id: Hashable
    coauthors: frozenset = field(default_factory=frozenset)
    venue: str = ""


class _UnionFind:
    def __init__(self, items):
        self.parent = {item: item for item in items}

    def find(self, item):
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a, b) -> None:
        self.parent[self.find(a)] = self.find(b)

    def groups(self) -> list[list]:
        members = defaultdict(list)
        for item in self.parent:
            members[self.find(item)].append(item)
        return list(members.values())


def coauthor_components(papers: Sequence[PaperEvidence]) -> list[list[Hashable]]:
    """Connected components: two papers meet when they share a co-author. Largest first.

    This is the split-suggestion evidence as curators read it: groups of papers whose co-authors
    never meet. A paper without co-authors is a component of its own.
    """
    uf = _UnionFind([p.paper_id for p in papers])
    first_paper_of: dict[Hashable, Hashable] = {}
    for paper in papers:
        for coauthor in paper.coauthors:
            if coauthor in first_paper_of:
                uf.union(paper.paper_id, first_paper_of[coauthor])
            else:
                first_paper_of[coauthor] = paper.paper_id
    return _ordered(uf.groups(), papers)


def group_papers(
    papers: Sequence[PaperEvidence],
    *,
    neighbours: Mapping[Hashable, Mapping[Hashable, int]] | None = None,
    min_similarity: float = 0.1,
) -> list[list[Hashable]]:
    """Group one name's papers into persons. Largest group first, papers in input order.

    1. Papers sharing a co-author are one person (co-author components).
    2. Components with similar co-author communities are one person. A component's community is
       a weighted bag: its co-authors (weight 3, direct evidence) plus, when `neighbours` maps a
       co-author to their own co-authors with paper counts, those people. People who write
       together form groups, so one person's papers with different members of one group share no
       co-author but share the group. Cosine similarity of the bags >= `min_similarity` merges.
    3. A paper left alone (no co-authors, or co-authors from a community met once) joins the
       largest group: nothing tells which person wrote it, and the most prolific is most likely.
    """
    components = coauthor_components(papers)
    by_id = {p.paper_id: p for p in papers}
    bags: list[Counter] = []
    for component in components:
        bag: Counter = Counter()
        for paper_id in component:
            for coauthor in by_id[paper_id].coauthors:
                bag[coauthor] += DIRECT_WEIGHT
                bag.update((neighbours or {}).get(coauthor, {}))
        bags.append(bag)
    norms = [math.sqrt(sum(w * w for w in bag.values())) or 1.0 for bag in bags]

    uf = _UnionFind(range(len(components)))
    # Index bags by member so only components that share someone are compared (not all pairs).
    holders: dict[Hashable, list[int]] = defaultdict(list)
    for index, bag in enumerate(bags):
        for person in bag:
            holders[person].append(index)
    for index, bag in enumerate(bags):
        dots: Counter = Counter()
        for person, weight in bag.items():
            for other in holders[person]:
                if other > index:
                    dots[other] += weight * bags[other][person]
        for other, dot in dots.items():
            if dot / (norms[index] * norms[other]) >= min_similarity:
                uf.union(index, other)

    groups = _ordered([[pid for index in indexes for pid in components[index]] for indexes in uf.groups()], papers)
    if len(groups) > 1:
        alone = [g[0] for g in groups[1:] if len(g) == 1]
        groups = [groups[0] + alone] + [g for g in groups[1:] if len(g) > 1]
    return _ordered(groups, papers)


def _ordered(groups: list[list[Hashable]], papers: Sequence[PaperEvidence]) -> list[list[Hashable]]:
    """Largest group first, ties by first paper; papers in input order within a group."""
    position = {p.paper_id: n for n, p in enumerate(papers)}
    groups = [sorted(g, key=position.__getitem__) for g in groups if g]
    return sorted(groups, key=lambda g: (-len(g), position[g[0]]))
