"""A name cluster's timeline: a line per author row over a year axis, with a mark per paper, or for a
big cluster a mark per year and venue kind whose size tells how many papers it counts."""

import math
from collections import defaultdict
from collections.abc import Callable, Sequence

from papers.charts.data import Chart, TimelineCountRow, TimelineRow
from papers.charts.palette import KIND_ORDER, KIND_STYLES, LINK, MUTED, STRIPE, drawn_kind
from papers.charts.svg import (
    el,
    legend_row,
    mark,
    paint_for,
    safe_id,
    svg_root,
    tooltip,
    truncate,
    year_axis,
    year_slots,
)
from papers.models import Venue

TL_MIN_WIDTH = 640
TL_PER_LINE = 2  # marks side by side in one year column, then the next line
TL_PITCH = 9
TL_MARK_R = 3.6


def _timeline(
    *,
    rows: Sequence,
    slots: list[int | None],
    kinds: list[str],
    full_labels: dict[int, str],
    row_height: Callable,
    row_marks: Callable,
    title: str,
    description: str,
    id_prefix: str,
    css: str,
) -> Chart:
    """What both timelines share: a labelled line per author row (a link to it), striped, over a year
    axis, below a legend of the venue kinds. `row_height(row, year_w)` sizes a row and
    `row_marks(row, y, x_of, year_w)` draws its marks."""
    # Shown cut to fit; the whole label is the link's title (its name for assistive tech, and its hover text).
    labels = {pk: truncate(text, 34) for pk, text in full_labels.items()}
    label_w = min(240, max([80] + [len(text) * 6.6 + 16 for text in labels.values()]))
    year_w = 26.0
    if slots:
        # Few years: wider columns fill the minimum width, so marks keep their size when scaled.
        year_w = min(60.0, max(year_w, (TL_MIN_WIDTH - label_w - 12) / len(slots)))
    slot_index = {slot: i for i, slot in enumerate(slots)}

    def x_of(slot) -> float:
        return label_w + slot_index[slot] * year_w + year_w / 2

    legend, legend_w = legend_row([(Venue.Kind(k).label, *KIND_STYLES[k]) for k in kinds], x=label_w, y=18)
    width = max(TL_MIN_WIDTH, label_w + len(slots) * year_w + 12, label_w + legend_w)
    stripes, row_parts = [], []
    y = grid_top = 32.0
    for i, row in enumerate(rows):
        height = row_height(row, year_w)
        if i % 2 == 0:
            stripe = {"x": 0, "y": y, "width": width, "height": height, "fill": STRIPE, "class": "tl-stripe"}
            stripes.append(el("rect", stripe))
        # Every author name on the site links to its row; SVG 2 `href`, no xlink.
        label = {"x": 6, "y": y + min(height / 2, 16) + 4, "font-size": "12", "class": "tl-label", "fill": LINK}
        row_parts.append(
            el(
                "a",
                {"href": row.url, "class": "tl-link", "data-author": row.author_pk},
                tooltip(full_labels[row.author_pk]),
                el("text", label, labels[row.author_pk]),
            )
        )
        # The marks and the year axis are in the text alternative beside the chart: hidden from
        # assistive tech here, so a screen reader meets the row links and not every paper twice.
        marks_group = {"class": "tl-row", "data-author": row.author_pk, "aria-hidden": "true"}
        row_parts.append(el("g", marks_group, *row_marks(row, y, x_of, year_w)))
        y += height
    # Paint order: stripes, then the year grid, then labels and marks on top.
    axis = year_axis(slots, x_of=x_of, y=y + 16, grid_top=grid_top, grid_bottom=y)
    body = [*legend, *stripes, el("g", {"class": "tl-grid", "aria-hidden": "true"}, *axis), *row_parts]
    if not rows or not slots:
        body.append(el("text", {"x": label_w, "y": y + 16, "font-size": "12", "fill": MUTED}, "No papers yet."))
    svg = svg_root(
        width=width,
        height=y + 26,
        id_prefix=safe_id(id_prefix),
        title=title,
        description=description,
        css=css,
        # Not role="img": the row labels are links, and an image's children are hidden from assistive tech.
        role="group",
        body=body,
    )
    return Chart(svg=svg, title=title, description=description, data=tuple(rows))


def _summaries(texts: Sequence[str]) -> str:
    """'Ada: 3 papers; Bo: 1 paper.': the first 20 rows' summaries, and how many more."""
    summaries = list(texts[:20])
    if len(texts) > 20:
        summaries.append(f"and {len(texts) - 20} more rows")
    return "; ".join(summaries) + "." if summaries else "No papers yet."


def timeline_svg(*, rows: Sequence[TimelineRow], title: str, id_prefix: str = "timeline") -> Chart:
    """One line per author row, one mark per paper at its year; shape and colour give the venue kind."""
    rows = list(rows)
    per_years = {row.author_pk: defaultdict(list) for row in rows}
    for row in rows:
        for paper in row.papers:
            per_years[row.author_pk][paper.year or None].append(paper)

    def per_line(year_w: float) -> int:
        return max(TL_PER_LINE, int((year_w - 4) // TL_PITCH))

    def row_height(row, year_w: float) -> float:
        n = per_line(year_w)
        lines = max([1] + [math.ceil(len(ps) / n) for ps in per_years[row.author_pk].values()])
        return max(24.0, lines * TL_PITCH + 12)

    def row_marks(row, y: float, x_of, year_w: float) -> list:
        n = per_line(year_w)
        marks = defaultdict(list)
        for slot, papers in per_years[row.author_pk].items():
            # Grouped by kind inside a year, so runs of one kind read as blocks.
            papers.sort(key=lambda p: (KIND_ORDER.index(drawn_kind(p.kind)), p.title, p.pk))
            left = x_of(slot) - (min(len(papers), n) - 1) * TL_PITCH / 2
            for j, paper in enumerate(papers):
                mx = left + (j % n) * TL_PITCH
                my = y + 6 + TL_PITCH / 2 + (j // n) * TL_PITCH
                kind = drawn_kind(paper.kind)
                attrs = {"class": "tl-mark", "data-paper": paper.pk}
                marks[kind].append(mark(KIND_STYLES[kind][1], mx, my, TL_MARK_R, {}, attrs, tooltip(paper.caption)))
        # One group per kind carries the paint, not every mark: a large cluster's SVG stays smaller.
        groups = []
        for kind in KIND_ORDER:
            if marks[kind]:
                colour, shape = KIND_STYLES[kind]
                groups.append(el("g", {"class": f"tl-kind tl-{kind}"} | paint_for(shape, colour), *marks[kind]))
        return groups

    return _timeline(
        rows=rows,
        slots=year_slots(p.year for row in rows for p in row.papers),
        kinds=sorted({drawn_kind(p.kind) for r in rows for p in r.papers}, key=KIND_ORDER.index),
        full_labels={row.author_pk: f"{row.label} ({len(row.papers)})" for row in rows},
        row_height=row_height,
        row_marks=row_marks,
        title=title,
        description=(
            "One line per author row; each mark is one paper, placed at its year; colour and shape show "
            "the kind of venue. " + _summaries([row.summary for row in rows])
        ),
        id_prefix=id_prefix,
        css="chart-timeline",
    )


TL_COUNT_LINE = 15.0  # one line per venue kind inside a row of the counted timeline
TL_COUNT_R_MIN, TL_COUNT_R_MAX = 2.2, 6.6


def timeline_counts_svg(*, rows: Sequence[TimelineCountRow], title: str, id_prefix: str = "timeline") -> Chart:
    """The timeline of a big cluster: one line per author row and per venue kind in it, one mark per
    year whose area grows with the papers it counts, so its size does not grow with every paper."""
    rows = list(rows)
    busiest = max((c.count for r in rows for c in r.counts), default=1)

    def row_height(row, year_w: float) -> float:
        return max(24.0, len(row.kinds) * TL_COUNT_LINE + 8)

    def row_marks(row, y: float, x_of, year_w: float) -> list:
        groups = []
        for line, (kind, label) in enumerate(row.kinds):
            colour, shape = KIND_STYLES[kind]
            my = y + 4 + TL_COUNT_LINE * (line + 0.5)
            marks = []
            for year, by_kind in row.by_year:
                if kind in by_kind:
                    n = by_kind[kind]
                    r = TL_COUNT_R_MIN + (TL_COUNT_R_MAX - TL_COUNT_R_MIN) * math.sqrt(n / busiest)
                    caption = f"{n} {label.lower()} paper{'' if n == 1 else 's'}, {year or 'no year'}"
                    attrs = {"class": "tl-count", "data-count": n}
                    marks.append(mark(shape, x_of(year), my, r, {}, attrs, tooltip(caption)))
            groups.append(el("g", {"class": f"tl-kind tl-{kind}"} | paint_for(shape, colour), *marks))
        return groups

    return _timeline(
        rows=rows,
        slots=year_slots(c.year for row in rows for c in row.counts),
        kinds=sorted({kind for row in rows for kind, _ in row.kinds}, key=KIND_ORDER.index),
        full_labels={row.author_pk: f"{row.label} ({row.total})" for row in rows},
        row_height=row_height,
        row_marks=row_marks,
        title=title,
        description=(
            "One line per author row and kind of venue; each mark counts that row's papers of one year, "
            "larger for more papers; colour and shape show the kind of venue. "
            + _summaries([f"{row.label}: {row.total} paper{'' if row.total == 1 else 's'}" for row in rows])
        ),
        id_prefix=id_prefix,
        css="chart-timeline chart-timeline-counts",
    )
