"""Group one name's papers into persons from the evidence the records carry: plain data in, groups out.

Pure Python with no database access, so the same function serves the curator's split suggestions
(fed from the database by `authors.curation.suggestions`) and the quality benchmark (fed from a generated
corpus by `bench/suggestions_quality.py`).

The method follows S2AND (Subramanian et al. 2021) in small: papers that share a co-author are
first joined (co-author components); a learned pairwise model gives the probability that two
components are one person; average-linkage agglomerative clustering joins components while the
mean probability between them reaches a threshold; a second model sends each paper left alone to
its likeliest group. Both are logistic regressions stored as JSON (`person_model.json`), fitted by
`bench/suggestions_quality.py --train` on synthetic corpora only; no scikit-learn at run time.
"""

import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from authors.curation.clustering import UnionFind, average_linkage

MODEL_PATH = Path(__file__).with_name("person_model.json")
# A shared co-author is direct evidence; a co-author's co-author only places the paper in a community.
DIRECT_WEIGHT = 3
WORD_RE = re.compile(r"[^\W\d_]{3,}")
STOPWORDS = frozenset(
    ["and", "for", "the", "with", "from", "via", "using", "towards", "its", "into", "over", "under", "are", "our"]
)


@dataclass(frozen=True)
class PaperEvidence:
    """One paper of the name being grouped: its co-authors (the name itself left out), venue, year, title.

    Co-authors are any hashable identity: author row ids from the database, or names in the benchmark.
    """

    paper_id: Hashable
    coauthors: frozenset = field(default_factory=frozenset)
    venue: str = ""
    year: int | None = None
    title: str = ""


@dataclass(frozen=True)
class Logistic:
    """A logistic regression: named features, their coefficients and the intercept."""

    features: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float

    @classmethod
    def from_json(cls, data: Mapping, features: tuple[str, ...]) -> "Logistic":
        if tuple(data["features"]) != features:
            raise ValueError(f"the model's features {data['features']} are not {features}")
        return cls(features, tuple(data["coefficients"]), data["intercept"])

    def probability(self, x: Sequence[float], offset: float = 0.0) -> float:
        """`offset`: evidence from outside the features, in log odds (the habits' log-likelihood ratio)."""
        z = self.intercept + offset + sum(w * v for w, v in zip(self.coefficients, x, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


@dataclass(frozen=True)
class PersonModel:
    """`pair`: are two components one person; `threshold`: average linkage joins two clusters at this
    mean probability or more; `attach`: is this group the one a paper left alone belongs to."""

    pair: Logistic
    threshold: float
    attach: Logistic

    @classmethod
    def from_json(cls, data: Mapping) -> "PersonModel":
        return cls(
            Logistic.from_json(data["pair"], FEATURES),
            data["threshold"],
            Logistic.from_json(data["attach"], ATTACH_FEATURES),
        )


@cache
def default_model() -> PersonModel:
    return PersonModel.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))


def coauthor_components(papers: Sequence[PaperEvidence]) -> list[list[Hashable]]:
    """Connected components: two papers meet when they share a co-author. Largest first.

    This is the split-suggestion evidence as curators read it: groups of papers whose co-authors
    never meet. A paper without co-authors is a component of its own.
    """
    uf = UnionFind([p.paper_id for p in papers])
    first_paper_of: dict[Hashable, Hashable] = {}
    for paper in papers:
        for coauthor in paper.coauthors:
            if coauthor in first_paper_of:
                uf.union(paper.paper_id, first_paper_of[coauthor])
            else:
                first_paper_of[coauthor] = paper.paper_id
    return _ordered(uf.groups(), papers)


class _Bag:
    """A weighted bag with its Euclidean norm and total weight."""

    __slots__ = ("counts", "norm", "total")

    def __init__(self, counts: Mapping):
        self.counts = counts
        self.norm = math.sqrt(sum(w * w for w in counts.values()))
        self.total = sum(counts.values())

    def cosine(self, other: "_Bag") -> float:
        if not self.norm or not other.norm:
            return 0.0
        small, large = sorted((self.counts, other.counts), key=len)
        return sum(w * large.get(k, 0) for k, w in small.items()) / (self.norm * other.norm)


@dataclass
class _Unit:
    """A set of one name's papers (a component, a group) and its co-author profile."""

    paper_ids: list
    direct: _Bag  # its co-authors, by papers together
    community: _Bag  # its co-authors' own co-authors, by papers together
    both: _Bag  # direct (weighted) plus community


FEATURES = (
    "community",
    "direct_in_community",
    "both",
    "log_community",
    "log_direct_in_community",
    "log_both",
    "community_on_coauthors",
    "coauthors_in_community",
    "log_smaller_size",
    "log_larger_size",
)
# A paper left alone and a group: the pair's features and whether the group is the name's largest.
ATTACH_FEATURES = (*FEATURES, "largest")
# Cosines run from 0 to 1 but evidence grows by orders of magnitude: 0.001 and 0.01 differ too.
LOG_FLOOR = 0.001


def pair_features(a: _Unit, b: _Unit, *, related: bool = True) -> list[float]:
    """The co-author evidence that two sets of papers are one person's, in `FEATURES` order.

    Not `related` (their communities share nobody), every overlap is zero and is not computed.
    """
    cosines = [0.0, 0.0, 0.0]
    shares = [0.0, 0.0]
    if related:
        cosines = [
            a.community.cosine(b.community),
            max(a.direct.cosine(b.community), a.community.cosine(b.direct)),
            a.both.cosine(b.both),
        ]
        shares = [
            max(_share(a.community, b.direct), _share(b.community, a.direct)),
            max(_share(a.direct, b.community, counted=False), _share(b.direct, a.community, counted=False)),
        ]
    sizes = sorted((len(a.paper_ids), len(b.paper_ids)))
    return [
        *cosines,
        *(math.log(c + LOG_FLOOR) for c in cosines),
        *shares,
        math.log(sizes[0]),
        math.log(sizes[1]),
    ]


def _share(bag: _Bag, other: _Bag, *, counted: bool = True) -> float:
    """The part of `bag`'s weight (or, not `counted`, of its members) that falls on `other`'s members.

    Unlike a cosine it does not shrink as `other` grows: a co-author of one paper whose own
    co-authors are a prolific person's co-authors weighs as much as for a person of two papers.
    """
    if not bag.counts:
        return 0.0
    if counted:
        return sum(w for k, w in bag.counts.items() if k in other.counts) / bag.total
    return sum(1 for k in bag.counts if k in other.counts) / len(bag.counts)


class Profiler:
    """Builds the co-author profile of any set of one name's papers."""

    def __init__(
        self, papers: Sequence[PaperEvidence], neighbours: Mapping[Hashable, Mapping[Hashable, int]] | None = None
    ):
        self.by_id = {p.paper_id: p for p in papers}
        self.neighbours = neighbours or {}

    def profile(self, paper_ids: list) -> _Unit:
        direct: Counter = Counter(c for paper_id in paper_ids for c in self.by_id[paper_id].coauthors)
        community: Counter = Counter()
        for coauthor, times in direct.items():
            for person, weight in self.neighbours.get(coauthor, {}).items():
                community[person] += weight * times
        both = Counter({c: DIRECT_WEIGHT * n for c, n in direct.items()})
        both.update(community)
        return _Unit(paper_ids, _Bag(direct), _Bag(community), _Bag(both))


class Habits:
    """How much likelier a paper's venue, year and title words are among a group's papers than among all.

    Naive Bayes over each group's own papers, estimated from the name's papers alone: no labels, no
    corpus. A venue, a year (within `YEAR_SPAN`) or a title word as common in the group as in the
    whole name says nothing; each is smoothed toward the name's rate by `PRIOR_PAPERS`. Nothing is
    fitted: the synthetic corpora draw venues, years and title words at random, so they cannot teach
    how much these signals weigh.
    """

    # A group of one or two papers should barely move a rate: it is weighed against two papers at the name's rate.
    PRIOR_PAPERS = 2
    # Papers of one person a year or two apart are as alike as papers of the same year.
    YEAR_SPAN = 2

    def __init__(self, papers: Sequence[PaperEvidence]):
        self.facts = {p.paper_id: (p.venue, p.year, frozenset(_words(p.title))) for p in papers}
        self.venues = Counter(venue for venue, _, _ in self.facts.values() if venue)
        self.years = Counter(year for _, year, _ in self.facts.values() if year)
        self.words = Counter(word for _, _, words in self.facts.values() for word in words)
        self.size = len(self.facts)

    def between(self, a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
        """Log odds to add: the mean evidence of a's papers for b and of b's papers for a."""
        return (self._for(a, b) + self._for(b, a)) / 2

    def _for(self, papers: Sequence[Hashable], group: Sequence[Hashable]) -> float:
        facts = [self.facts[g] for g in group]
        venues = Counter(venue for venue, _, _ in facts if venue)
        years = Counter(year for _, year, _ in facts if year)
        words = Counter(word for _, _, title in facts for word in title)
        total = 0.0
        for paper_id in papers:
            venue, year, title = self.facts[paper_id]
            if venue:
                total += self._ratio(venues[venue], sum(venues.values()), self.venues[venue] / self.size)
            if year:
                near = range(year - self.YEAR_SPAN, year + self.YEAR_SPAN + 1)
                base = sum(self.years[y] for y in near) / self.size
                total += self._ratio(sum(years[y] for y in near), sum(years.values()), base)
            if title:
                total += sum(self._ratio(words[w], len(group), self.words[w] / self.size) for w in title) / len(title)
        return total / len(papers)

    def _ratio(self, hits: int, out_of: int, base: float) -> float:
        return math.log((hits + self.PRIOR_PAPERS * base) / (out_of + self.PRIOR_PAPERS) / base)


def candidate_pairs(units: Sequence[_Unit]) -> set[tuple[int, int]]:
    """Pairs of units that share someone in their co-author communities."""
    holders: dict[Hashable, list[int]] = defaultdict(list)
    for index, unit in enumerate(units):
        for person in unit.both.counts:
            holders[person].append(index)
    pairs = set()
    for members in holders.values():
        for n, i in enumerate(members):
            pairs.update((i, j) for j in members[n + 1 :])
    return pairs


def group_papers(
    papers: Sequence[PaperEvidence],
    *,
    neighbours: Mapping[Hashable, Mapping[Hashable, int]] | None = None,
    model: PersonModel | None = None,
    habits: bool = False,
) -> list[list[Hashable]]:
    """Group one name's papers into persons. Largest group first, papers in input order.

    1. Papers sharing a co-author are one person (co-author components).
    2. The pairwise model scores components that share someone in their communities (a
       community: the co-authors and, when `neighbours` maps a co-author to their own co-authors
       with paper counts, those people); average-linkage clustering joins them.
    3. A paper left alone joins the group the attach model finds likeliest; with no evidence that
       is the largest group, as the most prolific person most likely wrote it.
    With `habits`, venues, years and title words add their evidence (`Habits`) to both models. Off
    by default: no corpus we may tune on shows it helping (the synthetic ones carry no such signal).
    """
    model = model or default_model()
    profiler = Profiler(papers, neighbours)
    components = coauthor_components(papers)
    found = Habits(papers) if habits else None
    units = [profiler.profile(component) for component in components]
    groups = cluster_units(papers, units, score_pairs(units, found, model), model.threshold)
    return _ordered(attach_alone(groups, profiler, found, model), papers)


def cluster_units(
    papers: Sequence[PaperEvidence], units: Sequence[_Unit], scores: Mapping, threshold: float
) -> list[list[Hashable]]:
    """The units' papers joined by average linkage, largest group first."""
    clusters = average_linkage([len(u.paper_ids) for u in units], scores, threshold)
    return _ordered([[pid for index in cluster for pid in units[index].paper_ids] for cluster in clusters], papers)


def score_pairs(units: Sequence[_Unit], habits: Habits | None, model: PersonModel) -> dict[tuple[int, int], float]:
    """The pair model's probability for every pair of units whose communities meet, the habits' evidence added.

    Units that share nobody are not scored: the clustering never joins them on venues or years alone.
    """
    scores = {}
    for i, j in sorted(candidate_pairs(units)):
        offset = habits.between(units[i].paper_ids, units[j].paper_ids) if habits else 0.0
        scores[i, j] = model.pair.probability(pair_features(units[i], units[j]), offset)
    return scores


def attach_alone(
    groups: list[list[Hashable]], profiler: Profiler, habits: Habits | None, model: PersonModel
) -> list[list[Hashable]]:
    """Each one-paper group (but the first) joins the bigger group `model.attach` finds likeliest.

    `groups` are largest first.
    """
    if len(groups) < 2:
        return groups
    joined = [list(groups[0])] + [list(g) for g in groups[1:] if len(g) > 1]
    profiles = [profiler.profile(g) for g in joined]
    for group in groups[1:]:
        if len(group) == 1:
            alone = profiler.profile(group)
            joined[_likeliest(alone, profiles, habits, model.attach)] += group
    return joined


def _likeliest(alone: _Unit, profiles: list[_Unit], habits: Habits | None, attach: Logistic) -> int:
    def probability(i: int) -> float:
        offset = habits.between(alone.paper_ids, profiles[i].paper_ids) if habits else 0.0
        return attach.probability(attach_features(alone, profiles[i], i == 0), offset)

    return max(range(len(profiles)), key=lambda i: (probability(i), -i))


def attach_features(alone: _Unit, group: _Unit, largest: bool) -> list[float]:
    related = not alone.both.counts.keys().isdisjoint(group.both.counts)
    return [*pair_features(alone, group, related=related), float(largest)]


def _words(title: str) -> list[str]:
    return [w for w in WORD_RE.findall(title.casefold()) if w not in STOPWORDS]


def _ordered(groups: list[list[Hashable]], papers: Sequence[PaperEvidence]) -> list[list[Hashable]]:
    """Largest group first, ties by first paper; papers in input order within a group."""
    position = {p.paper_id: n for n, p in enumerate(papers)}
    groups = [sorted(g, key=position.__getitem__) for g in groups if g]
    return sorted(groups, key=lambda g: (-len(g), position[g[0]]))
