"""What the charts draw: plain data that `authors/selectors.py` fills from the database, and the `Chart`
a drawing returns."""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby

from django.utils.safestring import SafeString

from papers.charts.palette import KIND_ORDER, drawn_kind
from papers.models import Venue


@dataclass(frozen=True)
class ChartPaper:
    pk: int
    title: str
    year: int | None
    venue: str
    kind: str
    url: str

    @property
    def kind_label(self) -> str:
        return Venue.Kind(self.kind).label if self.kind in Venue.Kind.values else Venue.Kind.OTHER.label

    @property
    def caption(self) -> str:
        """'Title (2021, NeurIPS, Conference)': what a mark's hover text and the text alternative say."""
        details = [str(self.year) if self.year else "no year", self.venue, self.kind_label]
        return f"{self.title} ({', '.join(d for d in details if d)})"


@dataclass(frozen=True)
class TimelineRow:
    """One author row of a cluster and its papers (each paper once)."""

    author_pk: int
    label: str
    url: str
    papers: tuple[ChartPaper, ...]

    @property
    def by_year(self) -> list[tuple[int | None, list[ChartPaper]]]:
        """Papers grouped by year, oldest first, undated last: the text alternative's order."""
        ordered = sorted(self.papers, key=lambda p: (p.year is None, p.year or 0, p.title, p.pk))
        return [(year, list(papers)) for year, papers in groupby(ordered, key=lambda p: p.year)]

    @property
    def span(self) -> str:
        years = [p.year for p in self.papers if p.year]
        if not years:
            return ""
        return str(min(years)) if min(years) == max(years) else f"{min(years)}–{max(years)}"

    @property
    def summary(self) -> str:
        n = len(self.papers)
        text = f"{self.label}: {n} paper{'' if n == 1 else 's'}"
        return f"{text}, {self.span}" if self.span else text


@dataclass(frozen=True)
class TimelineCount:
    """How many papers of one author row appeared in one year at one kind of venue."""

    year: int | None
    kind: str
    count: int


@dataclass(frozen=True)
class TimelineCountRow:
    """One author row of a big cluster: its papers counted by year and venue kind, not listed."""

    author_pk: int
    label: str
    url: str
    counts: tuple[TimelineCount, ...]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)

    @cached_property
    def kinds(self) -> list[tuple[str, str]]:
        """(kind, label) of the venue kinds this row has papers at, in the legend's order."""
        present = {drawn_kind(c.kind) for c in self.counts}
        return [(kind, Venue.Kind(kind).label) for kind in KIND_ORDER if kind in present]

    @cached_property
    def by_year(self) -> list[tuple[int | None, dict[str, int]]]:
        """{kind: papers} per year, oldest first, undated last: the text alternative's table rows."""
        years: dict[int | None, dict[str, int]] = defaultdict(dict)
        for c in self.counts:
            kind = drawn_kind(c.kind)
            years[c.year or None][kind] = years[c.year or None].get(kind, 0) + c.count
        return sorted(years.items(), key=lambda item: (item[0] is None, item[0] or 0))


@dataclass(frozen=True)
class YearCount:
    year: int | None
    count: int

    @property
    def label(self) -> str:
        return str(self.year) if self.year else "no year"


@dataclass(frozen=True)
class GraphNode:
    pk: int
    label: str
    url: str
    # Centre: its paper count; co-authors: papers shared with the centre.
    weight: int
    group: int | None = None
    group_label: str = ""


@dataclass(frozen=True)
class GraphTie:
    a: GraphNode
    b: GraphNode
    weight: int


@dataclass(frozen=True)
class CoauthorGraph:
    centre: GraphNode
    nodes: tuple[GraphNode, ...]
    ties: tuple[GraphTie, ...]
    group_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Chart:
    """An SVG chart and what its text alternative shows. `{{ chart }}` in a template renders the SVG."""

    svg: SafeString
    title: str
    description: str
    data: object = field(default=None)

    def __html__(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg
