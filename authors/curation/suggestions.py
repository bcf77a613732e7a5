"""Work for curators: author rows that are probably one person, rows that are probably several, bad data.

Read-only functions over the database, each a fixed number of queries whatever the data size (the
rest is Python over the rows read). Candidate pairs are blocked: only rows of one name cluster, or
of one name-variant block (same folded family name and first initial, with compatible given names:
`K. Rezaei` / `Keivan Rezaei`, `Mohammad` / `MohammadTaghi`, `Sébastien` / `Sebastien`), are ever
compared, so the work grows with block sizes, not with the square of the table.
Results are plain dataclasses; dismissing a suggestion is the queue's business, not this module's.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from django.db.models import Count, Exists, OuterRef

from authors.curation.grouping import PaperEvidence, coauthor_components, group_papers
from authors.models import Author, NameCluster
from authors.names import accent_fold
from papers.models import Authorship

# Bigger blocks are skipped rather than compared pair by pair: a block of 'w wang' rows says nothing
# a curator can act on, and its pairs grow with the square of its size.
MAX_BLOCK = 400
# Score weights: a shared co-author is strong evidence, a shared venue weak (everyone publishes at NeurIPS).
COAUTHOR_WEIGHT = 1.0
VENUE_WEIGHT = 0.25
SAME_CLUSTER_BONUS = 0.5
SAME_ORCID_BONUS = 5.0
EVIDENCE_SHOWN = 10
NAME_PART_RE = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class MergeSuggestion:
    """Two live rows that are probably one person, with the evidence a curator checks."""

    author_ids: tuple[int, int]
    names: tuple[str, str]
    reason: str  # "same cluster", "name variant" or "same ORCID"
    shared_coauthors: tuple[str, ...]
    shared_venues: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class SplitSuggestion:
    """A live row whose papers fall into co-author groups that never meet."""

    author_id: int
    name: str
    paper_groups: tuple[tuple[int, ...], ...]  # largest first
    group_coauthors: tuple[tuple[str, ...], ...]  # the most frequent co-authors of each group


@dataclass(frozen=True)
class DataQualityIssue:
    kind: str  # "shared ORCID", "case or accents", "no papers"
    author_ids: tuple[int, ...]
    detail: str


@dataclass
class _Row:
    pk: int
    name: str
    full_name: str
    cluster_id: int
    cluster_key: str
    orcid: str
    coauthors: Counter  # co-author cluster key -> papers together
    coauthor_names: dict  # co-author cluster key -> a display name
    venues: set


def name_parts(name: str) -> tuple[str, str]:
    """(folded given names, folded family name): 'MohammadTaghi  Hajiaghayi' -> ('mohammadtaghi', 'hajiaghayi')."""
    words = [w for w in NAME_PART_RE.split(accent_fold(name)) if w]
    if not words:
        return "", ""
    return "".join(words[:-1]), words[-1]


def variant_block(name: str) -> tuple[str, str] | None:
    """The block a name is compared in: (family name, first initial)."""
    given, family = name_parts(name)
    return (family, given[0]) if given and family else None


def compatible_given_names(a: str, b: str) -> bool:
    """'k' ~ 'keivan', 'mohammad' ~ 'mohammadtaghi', 'sebastien' ~ 'sebastien'; 'wei' !~ 'wen'."""
    a, b = name_parts(a)[0], name_parts(b)[0]
    short, long = sorted((a, b), key=len)
    return bool(short) and long.startswith(short)


def _load_rows(authors) -> dict[int, _Row]:
    """Rows with their co-authors (by cluster key) and venues: three queries."""
    rows = {
        a.pk: _Row(a.pk, a.name, a.full_name, a.cluster_id, a.cluster.key, a.orcid, Counter(), {}, set())
        for a in authors.select_related("cluster").only(
            "pk", "name", "homonym_number", "cluster_id", "cluster__key", "orcid"
        )
    }
    if not rows:
        return rows
    own = Authorship.objects.filter(author_id__in=list(rows)).order_by()
    papers: dict[int, set[int]] = defaultdict(set)
    for author_id, paper_id, venue in own.values_list("author_id", "paper_id", "paper__venue__short_name"):
        papers[paper_id].add(author_id)
        if venue:
            rows[author_id].venues.add(venue)
    # Co-authors are compared by cluster key, so a co-author's duplicate rows still count as shared.
    others = (
        Authorship.objects.filter(paper_id__in=own.values("paper_id"))
        .order_by()
        .values_list("paper_id", "author_id", "author__cluster__key", "author__name")
    )
    for paper_id, coauthor_id, key, name in others:
        for author_id in papers[paper_id]:
            # A co-author of the row's own name is no evidence about the row.
            if coauthor_id != author_id and key != rows[author_id].cluster_key:
                rows[author_id].coauthors[key] += 1
                rows[author_id].coauthor_names.setdefault(key, name)
    return rows


def _suggestion(a: _Row, b: _Row, reason: str) -> MergeSuggestion | None:
    if a.orcid and b.orcid and a.orcid != b.orcid:
        return None  # two ORCIDs are two people
    shared = sorted(a.coauthors.keys() & b.coauthors.keys(), key=lambda k: (-(a.coauthors[k] + b.coauthors[k]), k))
    venues = sorted(a.venues & b.venues)
    same_orcid = bool(a.orcid) and a.orcid == b.orcid
    if same_orcid:
        reason = "same ORCID"
    elif not shared and not (reason == "same cluster" and venues):
        return None
    score = COAUTHOR_WEIGHT * len(shared) + VENUE_WEIGHT * len(venues)
    score += SAME_CLUSTER_BONUS if a.cluster_id == b.cluster_id else 0
    score += SAME_ORCID_BONUS if same_orcid else 0
    a, b = sorted((a, b), key=lambda r: r.pk)
    return MergeSuggestion(
        author_ids=(a.pk, b.pk),
        names=(a.full_name, b.full_name),
        reason=reason,
        shared_coauthors=tuple(a.coauthor_names[k] for k in shared[:EVIDENCE_SHOWN]),
        shared_venues=tuple(venues[:EVIDENCE_SHOWN]),
        score=round(score, 2),
    )


def merge_suggestions(*, clusters: Iterable[NameCluster] | None = None) -> list[MergeSuggestion]:
    """Pairs of live rows that are probably one person, best first. Three queries (four with `clusters`).

    Same cluster: suggested on a shared co-author or a shared venue. Name variants across clusters:
    only on a shared co-author. Rows with two different ORCIDs are never suggested.
    With `clusters`, the rows of those clusters and of their name-variant blocks are compared.
    """
    live = Author.objects.active()
    if clusters is not None:
        cluster_ids = [c.pk for c in clusters]
        family_names = {
            name_parts(n)[1] for n in live.filter(cluster_id__in=cluster_ids).values_list("name", flat=True)
        }
        # Candidates by family name, folded in Python: a database-side accent fold is PostgreSQL-only.
        live = live.filter(name__iregex=_family_regex(family_names)) if family_names else live.none()
    rows = _load_rows(live)

    found: dict[tuple[int, int], MergeSuggestion] = {}
    by_cluster: dict[int, list[_Row]] = defaultdict(list)
    by_block: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for row in rows.values():
        by_cluster[row.cluster_id].append(row)
        if block := variant_block(row.name):
            by_block[block].append(row)
    for members in by_cluster.values():
        for a, b in _pairs(members):
            if suggestion := _suggestion(a, b, "same cluster"):
                found[suggestion.author_ids] = suggestion
    for members in by_block.values():
        for a, b in _pairs(members):
            if a.cluster_id == b.cluster_id or not compatible_given_names(a.name, b.name):
                continue
            if suggestion := _suggestion(a, b, "name variant"):
                found[suggestion.author_ids] = suggestion
    if clusters is not None:
        found = {ids: s for ids, s in found.items() if {rows[i].cluster_id for i in ids} & set(cluster_ids)}
    return sorted(found.values(), key=lambda s: (-s.score, s.author_ids))


def _family_regex(family_names: set[str]) -> str:
    # Match the family name as the last word, accents or not: 'lahaie' matches 'Sébastien Lahaie'.
    return r"(^| )(" + "|".join(_accent_tolerant(f) for f in sorted(family_names)) + r")$"


def _accent_tolerant(folded: str) -> str:
    # Each ASCII letter may also be any non-ASCII letter, so 'muller' matches 'Müller' (names are NFC).
    return "".join(f"({ch}|[^a-z0-9 ])" if ch.isascii() and ch.isalnum() else re.escape(ch) for ch in folded)


def _pairs(members: list[_Row]):
    if len(members) < 2 or len(members) > MAX_BLOCK:
        return ()
    return combinations(members, 2)


def _evidence(authorships) -> dict[int, list[PaperEvidence]]:
    """Per author row, its papers with the other rows on each paper. Two queries."""
    own = authorships.order_by().values("paper_id")
    coauthors: dict[int, set[int]] = defaultdict(set)
    for paper_id, author_id in (
        Authorship.objects.filter(paper_id__in=own).order_by().values_list("paper_id", "author_id")
    ):
        coauthors[paper_id].add(author_id)
    evidence: dict[int, list[PaperEvidence]] = defaultdict(list)
    for author_id, paper_id in authorships.order_by("paper_id").values_list("author_id", "paper_id").distinct():
        evidence[author_id].append(PaperEvidence(paper_id, frozenset(coauthors[paper_id] - {author_id})))
    return evidence


def split_suggestions(*, authors=None, min_group_papers: int = 2) -> list[SplitSuggestion]:
    """Live rows whose papers form two or more co-author groups of `min_group_papers`+ papers. Four queries.

    A group is a connected component of the row's papers, two papers meeting when they share a
    co-author row (the row itself left out). One-paper groups are common (a paper written with
    strangers) and are not reason enough to split, hence `min_group_papers`.
    """
    authors = Author.objects.active() if authors is None else authors.filter(merged_into__isnull=True)
    authors = authors.filter(paper_count__gte=2 * min_group_papers)
    names = dict(authors.values_list("pk", "name"))
    evidence = _evidence(Authorship.objects.filter(author_id__in=list(names)))
    coauthor_ids = {c for papers in evidence.values() for p in papers for c in p.coauthors}
    coauthor_names = dict(Author.objects.filter(pk__in=coauthor_ids).values_list("pk", "name"))
    suggestions = []
    for author_id, papers in sorted(evidence.items()):
        by_id = {p.paper_id: p for p in papers}
        groups = [g for g in coauthor_components(papers) if len(g) >= min_group_papers]
        if len(groups) < 2:
            continue
        top = []
        for group in groups:
            counts = Counter(c for paper_id in group for c in by_id[paper_id].coauthors)
            top.append(tuple(coauthor_names[c] for c, _ in counts.most_common(EVIDENCE_SHOWN)))
        suggestions.append(SplitSuggestion(author_id, names[author_id], tuple(map(tuple, groups)), tuple(top)))
    return suggestions


def cluster_person_groups(*, cluster: NameCluster) -> list[list[int]]:
    """The papers of a cluster's live rows grouped into persons by `group_papers`, largest first. Four queries.

    The database counterpart of the quality benchmark: co-authors are author rows, and each
    co-author's own co-authors place a paper in its community. Papers carry their venue, year and
    title too, for `group_papers(habits=True)`.
    """
    own = Authorship.objects.filter(author__cluster=cluster, author__merged_into__isnull=True)
    cluster_rows = set(Author.objects.filter(cluster=cluster).values_list("pk", flat=True))
    papers = _cluster_papers(own, cluster_rows)
    coauthor_ids = {c for paper in papers for c in paper.coauthors}
    neighbours: dict[int, Counter] = defaultdict(Counter)
    theirs = Authorship.objects.filter(author_id__in=list(coauthor_ids)).order_by().values("paper_id")
    by_paper: dict[int, list[int]] = defaultdict(list)
    for paper_id, author_id in (
        Authorship.objects.filter(paper_id__in=theirs).order_by().values_list("paper_id", "author_id")
    ):
        by_paper[paper_id].append(author_id)
    for members in by_paper.values():
        for author_id in members:
            if author_id in coauthor_ids:
                neighbours[author_id].update(m for m in members if m != author_id and m not in cluster_rows)
    return group_papers(papers, neighbours=neighbours)


def _cluster_papers(own, cluster_rows: set[int]) -> list[PaperEvidence]:
    """The cluster's papers in id order, with co-authors (rows outside the cluster), venue, year and title.

    Two queries.
    """
    coauthors: dict[int, set[int]] = defaultdict(set)
    for paper_id, author_id in (
        Authorship.objects.filter(paper_id__in=own.order_by().values("paper_id"))
        .order_by()
        .values_list("paper_id", "author_id")
    ):
        if author_id not in cluster_rows:
            coauthors[paper_id].add(author_id)
    rows = own.order_by("paper_id").values_list("paper_id", "paper__venue__short_name", "paper__year", "paper__title")
    return [
        PaperEvidence(paper_id, frozenset(coauthors[paper_id]), venue or "", year, title)
        for paper_id, venue, year, title in rows.distinct()
    ]


def shared_orcid_issues() -> list[DataQualityIssue]:
    """One ORCID on two or more live rows. One query."""
    rows = Author.objects.active().exclude(orcid="").order_by("orcid", "pk").values_list("orcid", "pk")
    by_orcid: dict[str, list[int]] = defaultdict(list)
    for orcid, pk in rows.filter(orcid__in=_duplicated_orcids()):
        by_orcid[orcid].append(pk)
    return [DataQualityIssue("shared ORCID", tuple(pks), orcid) for orcid, pks in by_orcid.items()]


def _duplicated_orcids():
    return (
        Author.objects.active()
        .exclude(orcid="")
        .order_by()
        .values("orcid")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("orcid")
    )


def case_or_accent_issues() -> list[DataQualityIssue]:
    """Live rows whose names differ only by case or accents ('Sébastien Lahaie' / 'sebastien lahaie'). One query."""
    by_folded: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for pk, name in Author.objects.active().order_by("pk").values_list("pk", "name"):
        by_folded[" ".join(accent_fold(name).split())][name].append(pk)
    return [
        DataQualityIssue(
            "case or accents", tuple(pk for pks in spellings.values() for pk in pks), " / ".join(spellings)
        )
        for folded, spellings in sorted(by_folded.items())
        if len(spellings) > 1
    ]


def no_paper_issues() -> list[DataQualityIssue]:
    """Live rows with no authorship left (after a split, say). One query; counts are not trusted here."""
    rows = (
        Author.objects.active()
        .filter(~Exists(Authorship.objects.filter(author=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "name")
    )
    return [DataQualityIssue("no papers", (pk,), name) for pk, name in rows]
