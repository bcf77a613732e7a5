"""Clustering over plain data, the algorithms under the person grouping: union-find and average linkage."""

import heapq
from collections import defaultdict
from collections.abc import Mapping, Sequence


class UnionFind:
    """Disjoint sets of hashable items. `groups` lists each set in item order, the sets in order of their
    first item."""

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


def average_linkage(sizes: Sequence[int], scores: Mapping[tuple[int, int], float], threshold: float) -> list[list]:
    """Agglomerative clustering of items weighted by `sizes`; unscored pairs count as probability 0.

    Two clusters join while the size-weighted mean probability between their items is >= `threshold`.
    """
    members = {i: [i] for i in range(len(sizes))}
    weight = dict(enumerate(sizes))
    # total[a][b]: the sum over item pairs across clusters a and b of probability x both sizes.
    total: dict[int, dict[int, float]] = defaultdict(dict)
    for (i, j), p in scores.items():
        total[i][j] = total[j][i] = p * sizes[i] * sizes[j]
    heap = [(-s / (weight[i] * weight[j]), i, j) for i, near in total.items() for j, s in near.items() if i < j]
    heapq.heapify(heap)
    next_id = len(sizes)
    while heap:
        negative, a, b = heapq.heappop(heap)
        if -negative < threshold:
            break
        if a not in members or b not in members:
            continue
        new = next_id
        next_id += 1
        members[new] = members.pop(a) + members.pop(b)
        weight[new] = weight.pop(a) + weight.pop(b)
        near = defaultdict(float)
        for old in (a, b):
            for other, s in total.pop(old).items():
                if other not in (a, b):
                    near[other] += s
                    del total[other][old]
        total[new] = dict(near)
        for other, s in near.items():
            total[other][new] = s
            heapq.heappush(heap, (-s / (weight[new] * weight[other]), other, new))
    return list(members.values())
