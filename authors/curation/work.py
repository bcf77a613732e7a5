"""The curator work queues: merge suggestions, split suggestions and data quality, precomputed.

Comparing rows is too slow for a page at a million papers, so the queues are rows of
CuratorSuggestion, rebuilt by `refresh_curator_work`: in full by `manage.py refresh_curator_work`
(after an import), and for the clusters a curation touched right after it commits. A dismissal is
kept apart (SuggestionDismissal, by the item's key in author row ids), so refreshes and re-imports
keep it; the item comes back only once its evidence has grown materially (`comes_back_at`).
"""

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import batched

from django.db import transaction
from django.db.models import Count, Max, Min, Q

from authors.curation.suggestions import (
    EVIDENCE_SHOWN,
    DataQualityIssue,
    case_or_accent_issues,
    cluster_person_groups,
    merge_suggestions,
    no_paper_issues,
    shared_orcid_issues,
)
from authors.models import (
    Author,
    AuthorKey,
    CurationEvent,
    CuratorSuggestion,
    CuratorWorkPending,
    NameCluster,
    SuggestionDismissal,
)
from authors.names import split_homonym
from papers.models import Authorship, PaperSource

Queue = CuratorSuggestion.Queue
# A merge suggestion's strength is its score in quarter points: a shared co-author 4, a shared venue
# 1, the same cluster 2, the same ORCID 20 (authors.curation.suggestions' weights).
SCORE_UNITS = 4
# What "materially" means: a dismissed item comes back when its strength has grown by half and by at
# least this much: two more shared co-authors for a pair, two more papers to move for a split, one
# more row for a data-quality finding.
COMES_BACK_STEP = {Queue.MERGE: 2 * SCORE_UNITS, Queue.SPLIT: 2, Queue.QUALITY: 1}
# A split suggestion moves at least this many papers: one paper written with strangers says little.
MIN_SPLIT_PAPERS = 2
BATCH = 1000
# The columns' lengths: a finding about many spellings of a name can be longer.
TITLE_MAX = CuratorSuggestion._meta.get_field("title").max_length
KEY_MAX = CuratorSuggestion._meta.get_field("key").max_length


def comes_back_at(queue: str, strength: int) -> int:
    return max(strength + COMES_BACK_STEP[queue], math.ceil(strength * 1.5))


def open_counts() -> list[dict]:
    """Each queue (queue, label) with its open items (count). One query."""
    counts = dict(CuratorSuggestion.objects.open().order_by().values_list("queue").annotate(n=Count("id")))
    return [{"queue": queue, "label": label, "count": counts.get(queue, 0)} for queue, label in Queue.choices]


def dismiss(*, suggestion: CuratorSuggestion, curator, note: str = "") -> SuggestionDismissal:
    """Dismiss an item at its present strength (a second dismissal replaces the first)."""
    dismissal, _ = SuggestionDismissal.objects.update_or_create(
        queue=suggestion.queue,
        key=suggestion.key,
        defaults={
            "strength": suggestion.strength,
            "comes_back_at": comes_back_at(suggestion.queue, suggestion.strength),
            "note": note,
            "curator": curator,
        },
    )
    return dismissal


def refresh_curator_work(
    *,
    clusters: Iterable[NameCluster] | None = None,
    quality: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, int]:
    """Rebuild the queues: all of them, or the merge and split items of these clusters, and with
    `quality` the data-quality queue (always whole: its checks read every row). Returns how many
    items each queue got."""
    made: dict[str, int] = defaultdict(int)

    def save(items: Iterable[CuratorSuggestion]) -> None:
        for batch in batched(items, BATCH):
            CuratorSuggestion.objects.bulk_create(batch)
            for item in batch:
                made[item.queue] += 1

    # A split item moves 2+ papers off a row keeping 2+: a cluster of fewer papers has none.
    split_clusters = NameCluster.objects.filter(paper_count__gte=2 * MIN_SPLIT_PAPERS).order_by("pk")
    with transaction.atomic():
        if clusters is None:
            CuratorSuggestion.objects.all().delete()
            save(_merge_items(None))
            save(_quality_items())
        else:
            clusters = list(clusters)
            ids = [c.pk for c in clusters]
            CuratorSuggestion.objects.filter(queue__in=[Queue.MERGE, Queue.SPLIT]).filter(
                Q(cluster_id__in=ids) | Q(other_cluster_id__in=ids)
            ).delete()
            save(_merge_items(clusters))
            if quality:
                CuratorSuggestion.objects.filter(queue=Queue.QUALITY).delete()
                save(_quality_items())
            split_clusters = split_clusters.filter(pk__in=ids)
        total = split_clusters.count()
        for done, cluster in enumerate(split_clusters.iterator(chunk_size=BATCH), 1):
            save(_split_items(cluster))
            if progress is not None:
                progress(done, total)
    return dict(made)


def refresh_pending(*, progress: Callable[[int, int], None] | None = None) -> dict[str, int] | None:
    """Rebuild what imports left stale: the clusters they noted and the data-quality queue, or all
    after a first load. None when no import has run since the last refresh."""
    with transaction.atomic():
        pending = list(CuratorWorkPending.objects.select_for_update().values_list("pk", "cluster_id"))
        if not pending:
            return None
        cluster_ids = [cluster_id for _, cluster_id in pending]
        if None in cluster_ids:
            made = refresh_curator_work(progress=progress)
        else:
            clusters = NameCluster.objects.filter(pk__in=cluster_ids).order_by("pk")
            made = refresh_curator_work(clusters=clusters, quality=True, progress=progress)
        # Only what was read: an import noting clusters meanwhile keeps them for the next run.
        CuratorWorkPending.objects.filter(pk__in=[pk for pk, _ in pending]).delete()
    return made


def refresh_after_curation(cluster_ids: Iterable[int]) -> None:
    """After the curation's transaction commits, rebuild these clusters' items. A failure is logged,
    never the curation's: the queues are advice and the next refresh rebuilds them."""
    cluster_ids = sorted(set(cluster_ids))

    def refresh():
        refresh_curator_work(clusters=NameCluster.objects.filter(pk__in=cluster_ids))

    transaction.on_commit(refresh, robust=True)


# -- the items ------------------------------------------------------------------------------------------


def _merge_items(clusters) -> Iterable[CuratorSuggestion]:
    suggestions = merge_suggestions(clusters=clusters)
    ids = {pk for s in suggestions for pk in s.author_ids}
    rows = {
        row["pk"]: row
        for row in Author.objects.filter(pk__in=ids)
        .annotate(first=Min("authorships__paper__year"), last=Max("authorships__paper__year"))
        .values("pk", "cluster_id", "orcid", "homonym_number", "first", "last")
    }
    numbers = _dblp_numbers(rows)
    for s in suggestions:
        a, b = (rows[pk] for pk in s.author_ids)
        told_apart = numbers[a["pk"]] and numbers[b["pk"]] and not numbers[a["pk"]] & numbers[b["pk"]]
        if told_apart and s.reason != "same ORCID":
            continue  # dblp numbers each row as another person: dblp has told them apart already
        yield CuratorSuggestion(
            queue=Queue.MERGE,
            key=f"{a['pk']}:{b['pk']}",
            cluster_id=a["cluster_id"],
            other_cluster_id=b["cluster_id"] if b["cluster_id"] != a["cluster_id"] else None,
            author_ids=[a["pk"], b["pk"]],
            title=f"{s.names[0]} (#{a['pk']}) and {s.names[1]} (#{b['pk']})"[:TITLE_MAX],
            evidence={
                "reason": s.reason,
                "names": list(s.names),
                "shared_coauthors": list(s.shared_coauthors),
                "shared_venues": list(s.shared_venues),
                "orcids": [a["orcid"], b["orcid"]],
                "years": [[a["first"], a["last"]], [b["first"], b["last"]]],
            },
            strength=round(s.score * SCORE_UNITS),
            score=s.score,
        )


def _dblp_numbers(rows: dict[int, dict]) -> dict[int, set[str]]:
    """Each row's dblp homonym numbers: its own, and those its source keys were written with
    ('Lucas Zhu 0002' from a JSON Lines key). One query."""
    numbers = {pk: {row["homonym_number"]} - {""} for pk, row in rows.items()}
    for author_id, key in AuthorKey.objects.filter(author_id__in=list(rows)).values_list("author_id", "key"):
        if number := split_homonym(key)[1]:
            numbers[author_id].add(number)
    return numbers


def _split_items(cluster: NameCluster) -> Iterable[CuratorSuggestion]:
    """Live rows of the cluster whose papers the person grouping puts in two or more groups."""
    groups = cluster_person_groups(cluster=cluster)
    if len(groups) < 2:
        return
    group_of = {paper_id: n for n, group in enumerate(groups) for paper_id in group}
    live = {
        pk: f"{name} {number}" if number else name
        for pk, name, number in Author.objects.active()
        .filter(cluster=cluster)
        .values_list("pk", "name", "homonym_number")
    }
    papers_of: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for author_id, paper_id in (
        Authorship.objects.filter(author_id__in=list(live)).order_by("paper_id").values_list("author_id", "paper_id")
    ):
        if paper_id in group_of:
            parts = papers_of[author_id][group_of[paper_id]]
            if paper_id not in parts:
                parts.append(paper_id)
    coauthors = _coauthor_names({p for parts in papers_of.values() for ps in parts.values() for p in ps}, live)
    for author_id, parts in sorted(papers_of.items()):
        ordered = sorted(parts.values(), key=lambda papers: (-len(papers), papers[0]))
        movable = [papers for papers in ordered[1:] if len(papers) >= MIN_SPLIT_PAPERS]
        if not movable:
            continue
        evidence_groups = [
            {"papers": papers, "coauthors": _most_common(coauthors, papers)} for papers in [ordered[0], *movable]
        ]
        moved = sum(len(papers) for papers in movable)
        yield CuratorSuggestion(
            queue=Queue.SPLIT,
            key=str(author_id),
            cluster=cluster,
            author_ids=[author_id],
            title=f"{live[author_id]} (#{author_id}): {len(evidence_groups)} groups of papers"[:TITLE_MAX],
            evidence={"name": live[author_id], "groups": evidence_groups},
            strength=moved,
            score=float(moved),
        )


def _coauthor_names(paper_ids: set[int], own: dict[int, str]) -> dict[int, list[str]]:
    """Each paper's co-authors' names, the cluster's own rows left out. One query."""
    names: dict[int, list[str]] = defaultdict(list)
    rows = (
        Authorship.objects.filter(paper_id__in=list(paper_ids))
        .exclude(author_id__in=list(own))
        .order_by("paper_id", "position")
        .values_list("paper_id", "author__name")
    )
    for paper_id, name in rows:
        names[paper_id].append(name)
    return names


def _most_common(coauthors: dict[int, list[str]], papers: list[int]) -> list[str]:
    counts: dict[str, int] = defaultdict(int)
    for paper_id in papers:
        for name in set(coauthors.get(paper_id, ())):
            counts[name] += 1
    return sorted(counts, key=lambda name: (-counts[name], name))[:EVIDENCE_SHOWN]


def _quality_items() -> Iterable[CuratorSuggestion]:
    issues = [
        *(("shared-orcid", issue) for issue in shared_orcid_issues()),
        *(("spelling", issue) for issue in case_or_accent_issues()),
        *(("no-papers", issue) for issue in no_paper_issues()),
    ]
    issues += [("orcid-conflict", issue) for issue in _orcid_conflicts()]
    ids = {pk for _, issue in issues for pk in issue.author_ids}
    cluster_of = dict(Author.objects.filter(pk__in=ids).values_list("pk", "cluster_id"))
    for kind, issue in issues:
        rows = list(issue.author_ids)
        key = f"{kind}:{issue.detail}" if kind == "shared-orcid" else f"{kind}:{':'.join(map(str, rows))}"
        if len(key) > KEY_MAX:  # many rows: a digest names the same set as surely
            key = f"{kind}:{hashlib.sha256(key.encode()).hexdigest()}"
        yield CuratorSuggestion(
            queue=Queue.QUALITY,
            key=key,
            cluster_id=cluster_of.get(rows[0]),
            author_ids=rows,
            title=f"{issue.kind}: {issue.detail}"[:TITLE_MAX],
            evidence={"kind": issue.kind, "detail": issue.detail},
            strength=len(rows),
            score=float(len(rows)),
        )


def suggested_persons(*, progress: Callable[[int, int], None] | None = None) -> Iterable[dict]:
    """Per name cluster with papers, the persons the grouping sees: what `suggest_persons` writes and
    the split queue reads. Each paper is named by its first provenance record (source, source_id)."""
    clusters = NameCluster.objects.with_papers().order_by("slug")
    total = clusters.count()
    for done, cluster in enumerate(clusters.iterator(chunk_size=BATCH), 1):
        groups = cluster_person_groups(cluster=cluster)
        first_source: dict[int, dict] = {}
        for paper_id, source, source_id in (
            PaperSource.objects.filter(paper_id__in=[p for group in groups for p in group])
            .order_by("paper_id", "first_imported_at", "pk")
            .values_list("paper_id", "source", "source_id")
        ):
            first_source.setdefault(paper_id, {"source": source, "source_id": source_id})
        yield {
            "cluster": cluster.slug,
            "name": cluster.name,
            "groups": [[first_source[p] for p in group if p in first_source] for group in groups],
        }
        if progress is not None:
            progress(done, total)


def _orcid_conflicts() -> list[DataQualityIssue]:
    """Rows a merge gave a second ORCID, which the row could not keep (author_merge records them): one
    of the two is wrong, or the rows were two people. Two queries."""
    events = (
        CurationEvent.objects.filter(action=CurationEvent.Action.MERGE, undone_by__isnull=True)
        .filter(data__orcid_conflicts__0__isnull=False)
        .order_by("pk")
        .values_list("data", flat=True)
    )
    conflicts = [(data["target"], data["orcid_conflicts"]) for data in events]
    orcids = dict(Author.objects.filter(pk__in=[target for target, _ in conflicts]).values_list("pk", "orcid"))
    return [
        DataQualityIssue(
            "conflicting ORCIDs",
            (target, *(c["author"] for c in dropped)),
            f"#{target} has {orcids.get(target) or 'no ORCID'}; merged into it: "
            + ", ".join(f"#{c['author']} with {c['orcid']}" for c in dropped),
        )
        for target, dropped in conflicts
    ]
