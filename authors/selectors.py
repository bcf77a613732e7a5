"""Reads the pages share: an author URL's row, a row's co-authors, and the data of the charts, each in
a constant number of queries.

Each `*_chart` function is the one-liner a view calls; the data functions under it are what the
tests check against the database. Query counts are pinned in tests/test_charts.py.
"""

from collections import defaultdict
from collections.abc import Collection, Sequence

from django.db import connection
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404

from authors.models import Author, NameCluster
from papers.charts import (
    Chart,
    ChartPaper,
    CoauthorGraph,
    GraphNode,
    GraphTie,
    TimelineCount,
    TimelineCountRow,
    TimelineRow,
    YearCount,
    coauthor_graph_svg,
    papers_per_year_svg,
    timeline_counts_svg,
    timeline_svg,
)
from papers.models import Authorship, Paper, Venue

# The co-authors of one row on PostgreSQL: for each of its papers, that paper's other authorships,
# through the (paper, position) index. As a join the planner hashes the whole authorship table;
# OFFSET 0 keeps the lateral subquery a per-paper index lookup.
COAUTHORS_SQL = """
    SELECT a.*, c.shared_papers FROM (
        SELECT s.author_id, count(DISTINCT mine.paper_id) AS shared_papers
        FROM (SELECT DISTINCT paper_id FROM papers_authorship WHERE author_id = %s) AS mine
        CROSS JOIN LATERAL (
            SELECT author_id FROM papers_authorship s WHERE s.paper_id = mine.paper_id AND s.author_id <> %s OFFSET 0
        ) AS s
        GROUP BY s.author_id
    ) AS c
    JOIN authors_author a ON a.id = c.author_id
    ORDER BY c.shared_papers DESC, a.name, a.id
    LIMIT %s
"""


def author_coauthors(author: Author, *, limit: int = 10) -> list[Author]:
    """The rows that share most papers with `author`, each annotated with `shared_papers`, most
    first (then by name and id). One query."""
    if connection.vendor == "postgresql":
        return list(Author.objects.raw(COAUTHORS_SQL, [author.pk, author.pk, limit]))
    # The filter comes before the annotation on purpose: Django then counts over the same
    # (filtered) authorship join, so only shared papers are counted.
    their_papers = Authorship.objects.filter(author=author).values("paper_id")
    return list(
        Author.objects.filter(authorships__paper_id__in=their_papers)
        .exclude(pk=author.pk)
        .annotate(shared_papers=Count("authorships__paper_id", distinct=True))
        .order_by("-shared_papers", "name", "pk")[:limit]
    )


def author_or_survivor(pk: int) -> tuple[Author, Author | None]:
    """The author row of a URL (cluster joined) and, for a tombstone, the live row it was merged into,
    which every author URL redirects to; 404 for no such row or a broken merge chain."""
    author = get_object_or_404(Author.objects.select_related("cluster"), pk=pk)
    if author.merged_into_id is None:
        return author, None
    survivor = Author.objects.follow_merges(author)
    if survivor is None:
        raise Http404("This author row was merged into a row that no longer exists.")
    return author, survivor


COAUTHOR_GRAPH_LIMIT = 12
# Above this many papers a cluster's timeline counts papers per row, year and venue kind instead of
# drawing one mark per paper: a mark per paper (and its text alternative) would grow a busy
# cluster's page with every paper.
TIMELINE_PAPERS_MAX = 100
# The counted timeline draws this many rows, busiest first, and one line for the others.
TIMELINE_ROWS_MAX = 20


class ClusterFacts:
    """What the cluster page needs of all its papers, read in one query: the (year, venue, type)
    facets of its filter and the data of its timeline (each paper of a cluster of up to
    TIMELINE_PAPERS_MAX papers, counts per row, year and venue kind above). Every page needs the
    facets; the first page draws the timeline from the same rows, without a query of its own."""

    def __init__(self, *, cluster: NameCluster, rows: Sequence[Author], counted: bool | None = None):
        self.cluster, self.rows = cluster, list(rows)
        self.counted = cluster.paper_count > TIMELINE_PAPERS_MAX if counted is None else counted
        ids = [row.pk for row in self.rows]
        columns = ("author_id", "paper__year", "paper__venue__short_name", "paper__venue__kind", "paper__pub_type")
        found = Authorship.objects.filter(author_id__in=ids).order_by()
        if self.counted:
            # A paper that names one row twice counts once; it has one venue and one type, so summing
            # over them (timeline_counts) still counts each paper once.
            self.found = list(found.values_list(*columns).annotate(n=Count("paper_id", distinct=True)))
        else:
            self.found = list(found.values_list(*columns, "paper_id", "paper__title"))
        self.facets = list({(year, venue, pub_type) for _, year, venue, _, pub_type, *_ in self.found})

    def timeline_rows(self) -> list[TimelineRow]:
        papers: dict[int, dict[int, ChartPaper]] = defaultdict(dict)
        for author_id, year, venue, kind, _, paper_id, title in self.found:
            if paper_id not in papers[author_id]:
                papers[author_id][paper_id] = ChartPaper(
                    pk=paper_id,
                    title=title,
                    year=year,
                    venue=venue or "",
                    kind=kind or Venue.Kind.OTHER,
                    # An unsaved instance reuses the model's URL rule without loading the row again.
                    url=Paper(pk=paper_id, title=title).get_absolute_url(),
                )
        return [
            TimelineRow(
                author_pk=row.pk,
                label=row.full_name,
                url=row.get_absolute_url(),
                papers=tuple(sorted(papers[row.pk].values(), key=lambda p: (p.year or 0, p.pk))),
            )
            for row in self.rows
        ]

    def timeline_counts(self) -> list[TimelineCountRow]:
        """The busiest TIMELINE_ROWS_MAX rows (the rows come busiest first), then one line for the
        rest: a common name has hundreds of rows at a million papers."""
        drawn = self.rows[:TIMELINE_ROWS_MAX] if len(self.rows) > TIMELINE_ROWS_MAX + 1 else self.rows
        line_of = {row.pk: row.pk for row in drawn}
        counts: dict[int, dict[tuple, int]] = defaultdict(lambda: defaultdict(int))
        for author_id, year, _, kind, _, n in self.found:
            # The rest's line sums its rows' counts: a paper two of them share counts twice there.
            counts[line_of.get(author_id, 0)][(year, kind or Venue.Kind.OTHER)] += n
        lines = [(row.pk, row.full_name, row.get_absolute_url()) for row in drawn]
        if len(drawn) < len(self.rows):
            lines.append((0, f"{len(self.rows) - len(drawn)} other rows", "#rows-heading"))
        return [
            TimelineCountRow(
                author_pk=pk,
                label=label,
                url=url,
                counts=tuple(TimelineCount(year=y, kind=k, count=n) for (y, k), n in counts[pk].items()),
            )
            for pk, label, url in lines
        ]

    def timeline_chart(self) -> Chart:
        title = f"Papers by year for each author row named {self.cluster.name}"
        id_prefix = f"timeline-{self.cluster.pk}"
        if self.counted:
            return timeline_counts_svg(rows=self.timeline_counts(), title=title, id_prefix=id_prefix)
        return timeline_svg(rows=self.timeline_rows(), title=title, id_prefix=id_prefix)


def cluster_timeline(*, cluster: NameCluster, rows: Sequence[Author] | None = None) -> list[TimelineRow]:
    """Each live author row of the cluster with its papers (each once), whatever the cluster's size.
    One query, two without `rows`."""
    if rows is None:
        rows = list(Author.objects.in_cluster(cluster))
    return ClusterFacts(cluster=cluster, rows=rows, counted=False).timeline_rows()


def cluster_timeline_chart(*, cluster: NameCluster, rows: Sequence[Author] | None = None) -> Chart:
    """The cluster's timeline: a mark per paper, or for a cluster of over TIMELINE_PAPERS_MAX papers a
    mark per row, year and venue kind with its count. One query, two without `rows`."""
    if rows is None:
        rows = list(Author.objects.in_cluster(cluster))
    return ClusterFacts(cluster=cluster, rows=rows).timeline_chart()


def author_papers_per_year(*, author: Author) -> list[YearCount]:
    """Distinct papers of the row per year (None: no year), oldest first. One query."""
    counts = Paper.objects.by_author(author.pk).order_by().values_list("year").annotate(n=Count("pk")).order_by("year")
    result = [YearCount(year=year, count=n) for year, n in counts]
    return sorted(result, key=lambda c: (c.year is None, c.year or 0))


def author_papers_per_year_chart(*, author: Author) -> Chart:
    return papers_per_year_svg(
        counts=author_papers_per_year(author=author),
        title=f"Papers per year by {author.full_name}",
        id_prefix=f"per-year-{author.pk}",
    )


def author_coauthor_graph(
    *,
    author: Author,
    limit: int = COAUTHOR_GRAPH_LIMIT,
    paper_groups: Sequence[Collection[int]] = (),
    group_labels: Sequence[str] = (),
    coauthors: Sequence[Author] | None = None,
) -> CoauthorGraph:
    """The row, its `limit` most frequent co-authors and the ties among them. Two queries (one when
    the row has no co-authors).

    Ties count the papers *of this row* that two co-authors share: the neighbourhood as this row
    sees it, which is what shows two people hiding in one row (two knots with no chord between).
    `paper_groups` (lists of this row's paper ids, e.g. a split suggestion) colour each co-author by
    the group holding most of the papers they share with the row. A caller that has read the row's
    `author_coauthors` already (the author page lists them too) passes them in to save the query.
    """
    if coauthors is None:
        coauthors = list(author_coauthors(author, limit=limit))
    coauthors = coauthors[:limit]
    # Who of them is on which of this row's papers: both the ties and the groups come from this.
    on_papers: dict[int, set[int]] = defaultdict(set)
    if coauthors:
        found = (
            Authorship.objects.filter(
                author_id__in=[a.pk for a in coauthors],
                paper_id__in=Authorship.objects.filter(author=author).values("paper_id"),
            )
            .order_by()
            .values_list("paper_id", "author_id")
            .distinct()
        )
        for paper_id, author_id in found:
            on_papers[paper_id].add(author_id)

    group_of_paper = {pk: i for i, pks in enumerate(paper_groups) for pk in pks}
    votes: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    pair_weights: dict[tuple[int, int], int] = defaultdict(int)
    for paper_id, author_ids in on_papers.items():
        if paper_id in group_of_paper:
            for author_id in author_ids:
                votes[author_id][group_of_paper[paper_id]] += 1
        ordered = sorted(author_ids)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                pair_weights[(a, b)] += 1

    def group(pk: int) -> int | None:
        # Most papers wins; a tie goes to the lower group number, so the result is stable.
        return min(votes[pk].items(), key=lambda kv: (-kv[1], kv[0]))[0] if votes.get(pk) else None

    if paper_groups and not group_labels:
        group_labels = [f"Group {i + 1}" for i in range(len(paper_groups))]
    nodes = {}
    for a in coauthors:
        g = group(a.pk)
        label = group_labels[g] if g is not None and g < len(group_labels) else ""
        nodes[a.pk] = GraphNode(
            pk=a.pk, label=a.full_name, url=a.get_absolute_url(), weight=a.shared_papers, group=g, group_label=label
        )
    ties = tuple(
        GraphTie(a=nodes[a], b=nodes[b], weight=w)
        for (a, b), w in sorted(pair_weights.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    centre = GraphNode(pk=author.pk, label=author.full_name, url=author.get_absolute_url(), weight=author.paper_count)
    return CoauthorGraph(centre=centre, nodes=tuple(nodes.values()), ties=ties, group_labels=tuple(group_labels))


def author_coauthor_graph_chart(
    *,
    author: Author,
    limit: int = COAUTHOR_GRAPH_LIMIT,
    paper_groups: Sequence[Collection[int]] = (),
    group_labels: Sequence[str] = (),
    coauthors: Sequence[Author] | None = None,
) -> Chart:
    graph = author_coauthor_graph(
        author=author, limit=limit, paper_groups=paper_groups, group_labels=group_labels, coauthors=coauthors
    )
    return coauthor_graph_svg(
        graph=graph,
        title=f"Frequent co-authors of {author.full_name}",
        id_prefix=f"coauthors-{author.pk}",
    )
