"""Server-rendered SVG charts: a name cluster's timeline, an author row's papers per year, its co-authors.

Pure functions of plain data (the dataclasses below; `authors/selectors.py` builds them from the
database in a constant number of queries). Each returns a `Chart`: the SVG as a SafeString plus the
data its text alternative lists (templates/charts/*.html render both).

Safe by construction: every element comes from `_el`, which escapes attribute values and text
(`html.escape`, quotes included) and drops the control characters XML 1.0 forbids, so a hostile name
can neither break out of the markup nor make it ill-formed. No script and no style="" (the CSP stays strict): colours
are presentation attributes, overridable through the class names in static/css/charts.css.
"""

import html
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import groupby

from django.utils.safestring import SafeString

from papers.models import Venue

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK = "#1d1f23"
MUTED = "#555b66"
GRID = "#d5d9e0"
STRIPE = "#f4f6f9"
LINK = "#0b5cad"  # the site's link colour (static/css/arrow.css --accent)

# Okabe-Ito colours, darkened where needed for 3:1 against white (WCAG non-text contrast), and a
# shape per kind so that colour is never the only signal (greyscale print, colour blindness).
KIND_STYLES = {
    Venue.Kind.CONFERENCE: ("#0072B2", "circle"),
    Venue.Kind.JOURNAL: ("#D55E00", "square"),
    Venue.Kind.WORKSHOP: ("#00876A", "triangle"),
    Venue.Kind.PREPRINT: ("#B0488F", "diamond"),
    Venue.Kind.OTHER: ("#6B6B6B", "ring"),
}
KIND_ORDER = list(KIND_STYLES)
# Co-author groups (split suggestions) reuse the same colour + shape pairs, in order.
GROUP_STYLES = list(KIND_STYLES.values())
NO_GROUP_STYLE = ("#8a929e", "ring")

# Characters XML 1.0 cannot hold even as references: stripped, or the SVG would not parse.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


# --- Data ------------------------------------------------------------------------------------------


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
        present = {_kind(c) for c in self.counts}
        return [(kind, Venue.Kind(kind).label) for kind in KIND_ORDER if kind in present]

    @cached_property
    def by_year(self) -> list[tuple[int | None, dict[str, int]]]:
        """{kind: papers} per year, oldest first, undated last: the text alternative's table rows."""
        years: dict[int | None, dict[str, int]] = defaultdict(dict)
        for c in self.counts:
            years[c.year or None][_kind(c)] = years[c.year or None].get(_kind(c), 0) + c.count
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


# --- Safe SVG building -----------------------------------------------------------------------------


def _xml_text(value) -> str:
    text = str(value)
    # Every character XML 1.0 forbids is unprintable (controls, surrogates, U+FFFE/FFFF), so a
    # printable text, almost all of them, skips the regular expression.
    return text if text.isprintable() else _XML_INVALID.sub("", text)


def _num(value: float) -> str:
    """Coordinates with one decimal at most: short, and stable across platforms for tests."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class _Markup(str):
    """A fragment `_el` built (everything in it escaped); the only str that `_el` does not escape."""


def _el(tag: str, attrs: dict | None = None, *children) -> _Markup:
    """One SVG element. Attribute values and string children are escaped; `_el` fragments are kept.

    Not format_html: its lazy-string wrappers made a 5,000-mark timeline take a second; the stdlib
    escape does the same job (& < > " ') in a fifth of the time. Tag and attribute names are ours.
    """
    parts = [f"<{tag}"]
    for name, value in (attrs or {}).items():
        if value is None:
            continue
        # Numbers need no escaping, and most attributes of a chart are numbers.
        if isinstance(value, float):
            parts.append(f' {name}="{_num(value)}"')
        elif isinstance(value, int):
            parts.append(f' {name}="{value:d}"')
        else:
            parts.append(f' {name}="{html.escape(_xml_text(value))}"')
    if not children:
        parts.append("/>")
    else:
        parts.append(">")
        parts.extend(c if isinstance(c, _Markup) else html.escape(_xml_text(c)) for c in children)
        parts.append(f"</{tag}>")
    return _Markup("".join(parts))


def _title(text: str) -> _Markup:
    return _el("title", None, text)


def _paint(shape: str, colour: str) -> dict:
    """Fill (or, for the hollow ring, outline) as presentation attributes: set on a mark or its group."""
    if shape == "ring":
        # Hollow, so it differs from the filled circle without relying on colour.
        return {"fill": "#ffffff", "stroke": colour, "stroke-width": "1.8"}
    return {"fill": colour}


def _shape(shape: str, x: float, y: float, r: float, paint: dict, attrs: dict | None = None, *children):
    """A mark centred on (x, y) with radius-like size r: circle, square, triangle, diamond or ring."""
    attrs = dict(attrs or {}) | paint
    if shape == "ring":
        return _el("circle", attrs | {"cx": float(x), "cy": float(y), "r": float(r * 0.8)}, *children)
    if shape == "circle":
        return _el("circle", attrs | {"cx": float(x), "cy": float(y), "r": float(r)}, *children)
    if shape == "square":
        side = r * 1.7
        return _el("rect", attrs | {"x": x - side / 2, "y": y - side / 2, "width": side, "height": side}, *children)
    if shape == "triangle":
        points = [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.85), (x - r * 1.1, y + r * 0.85)]
    else:  # diamond
        points = [(x, y - r * 1.25), (x + r * 1.25, y), (x, y + r * 1.25), (x - r * 1.25, y)]
    d = "M" + " L".join(f"{_num(px)} {_num(py)}" for px, py in points) + " Z"
    return _el("path", attrs | {"d": d}, *children)


def _safe_id(prefix: str) -> str:
    return _ID_UNSAFE.sub("-", prefix) or "chart"


def _svg(*, width: float, height: float, id_prefix: str, title: str, description: str, css: str, role: str, body):
    """The root element: scales to its container (viewBox + width 100%), named by its title and desc."""
    tid, did = f"{id_prefix}-title", f"{id_prefix}-desc"
    attrs = {
        "xmlns": SVG_NS,
        "viewBox": f"0 0 {_num(width)} {_num(height)}",
        "width": "100%",
        "role": role,
        "aria-labelledby": tid,
        "aria-describedby": did,
        "class": f"chart-svg {css}",
        "font-family": FONT,
        "fill": INK,
    }
    root = _el("svg", attrs, _el("title", {"id": tid}, title), _el("desc", {"id": did}, description), *body)
    # Safe for templates: `_el` escaped every value in it.
    return SafeString(root)  # nosec B703 (every value escaped by _el above)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _year_step(n_slots: int) -> int:
    """Label every year while they fit; every 2nd or 5th when the axis is long."""
    return 1 if n_slots <= 14 else 2 if n_slots <= 28 else 5 if n_slots <= 70 else 10


def _slots(years: Iterable[int | None]) -> list[int | None]:
    """Every year from the first to the last (gaps stay visible), then None for undated papers."""
    years = set(years)
    dated = [y for y in years if y]
    slots: list[int | None] = list(range(min(dated), max(dated) + 1)) if dated else []
    return [*slots, None] if None in years or 0 in years else slots


def _year_axis(slots, *, x_of, y: float, grid_top: float, grid_bottom: float) -> list[_Markup]:
    step = _year_step(len(slots))
    out = []
    for slot in slots:
        if slot is not None and slot % step:
            continue
        x = x_of(slot)
        if slot is not None:
            out.append(_el("line", {"x1": x, "x2": x, "y1": grid_top, "y2": grid_bottom, "stroke": GRID}))
        label = str(slot) if slot is not None else "no year"
        out.append(_el("text", {"x": x, "y": y, "text-anchor": "middle", "font-size": "11", "fill": MUTED}, label))
    return out


def _legend(items: Sequence[tuple[str, str, str]], *, x: float, y: float, size: int = 12):
    """(label, colour, shape) items in one line; returns the elements and the width used."""
    out = []
    start = x
    for label, colour, shape in items:
        out.append(_shape(shape, x + 5, y - size / 3, size * 0.38, _paint(shape, colour)))
        out.append(_el("text", {"x": x + 14, "y": y, "font-size": str(size)}, label))
        # A rough text width (no font metrics on the server): generous, so labels never collide.
        x += 14 + len(label) * size * 0.58 + 18
    return out, x - start


# --- Cluster timeline ------------------------------------------------------------------------------

TL_MIN_WIDTH = 640


def _kind(item: ChartPaper | TimelineCount) -> str:
    """The venue kind a mark is drawn as: an unknown one as Other."""
    return item.kind if item.kind in KIND_STYLES else Venue.Kind.OTHER


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
    labels = {pk: _truncate(text, 34) for pk, text in full_labels.items()}
    label_w = min(240, max([80] + [len(text) * 6.6 + 16 for text in labels.values()]))
    year_w = 26.0
    if slots:
        # Few years: wider columns fill the minimum width, so marks keep their size when scaled.
        year_w = min(60.0, max(year_w, (TL_MIN_WIDTH - label_w - 12) / len(slots)))
    slot_index = {slot: i for i, slot in enumerate(slots)}

    def x_of(slot) -> float:
        return label_w + slot_index[slot] * year_w + year_w / 2

    legend, legend_w = _legend([(Venue.Kind(k).label, *KIND_STYLES[k]) for k in kinds], x=label_w, y=18)
    width = max(TL_MIN_WIDTH, label_w + len(slots) * year_w + 12, label_w + legend_w)
    stripes, row_parts = [], []
    y = grid_top = 32.0
    for i, row in enumerate(rows):
        height = row_height(row, year_w)
        if i % 2 == 0:
            stripe = {"x": 0, "y": y, "width": width, "height": height, "fill": STRIPE, "class": "tl-stripe"}
            stripes.append(_el("rect", stripe))
        # Every author name on the site links to its row; SVG 2 `href`, no xlink.
        label = {"x": 6, "y": y + min(height / 2, 16) + 4, "font-size": "12", "class": "tl-label", "fill": LINK}
        row_parts.append(
            _el(
                "a",
                {"href": row.url, "class": "tl-link", "data-author": row.author_pk},
                _title(full_labels[row.author_pk]),
                _el("text", label, labels[row.author_pk]),
            )
        )
        # The marks and the year axis are in the text alternative beside the chart: hidden from
        # assistive tech here, so a screen reader meets the row links and not every paper twice.
        marks_group = {"class": "tl-row", "data-author": row.author_pk, "aria-hidden": "true"}
        row_parts.append(_el("g", marks_group, *row_marks(row, y, x_of, year_w)))
        y += height
    # Paint order: stripes, then the year grid, then labels and marks on top.
    axis = _year_axis(slots, x_of=x_of, y=y + 16, grid_top=grid_top, grid_bottom=y)
    body = [*legend, *stripes, _el("g", {"class": "tl-grid", "aria-hidden": "true"}, *axis), *row_parts]
    if not rows or not slots:
        body.append(_el("text", {"x": label_w, "y": y + 16, "font-size": "12", "fill": MUTED}, "No papers yet."))
    svg = _svg(
        width=width,
        height=y + 26,
        id_prefix=_safe_id(id_prefix),
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
            papers.sort(key=lambda p: (KIND_ORDER.index(_kind(p)), p.title, p.pk))
            left = x_of(slot) - (min(len(papers), n) - 1) * TL_PITCH / 2
            for j, paper in enumerate(papers):
                mx = left + (j % n) * TL_PITCH
                my = y + 6 + TL_PITCH / 2 + (j // n) * TL_PITCH
                shape = KIND_STYLES[_kind(paper)][1]
                attrs = {"class": "tl-mark", "data-paper": paper.pk}
                marks[_kind(paper)].append(_shape(shape, mx, my, TL_MARK_R, {}, attrs, _title(paper.caption)))
        # One group per kind carries the paint: a large cluster's SVG stays a fifth smaller.
        return [
            _el("g", {"class": f"tl-kind tl-{kind}"} | _paint(KIND_STYLES[kind][1], KIND_STYLES[kind][0]), *marks[kind])
            for kind in KIND_ORDER
            if marks[kind]
        ]

    return _timeline(
        rows=rows,
        slots=_slots(p.year for row in rows for p in row.papers),
        kinds=sorted({_kind(p) for r in rows for p in r.papers}, key=KIND_ORDER.index),
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
    year whose area grows with the papers it counts. Its size no longer grows with every paper."""
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
                    marks.append(_shape(shape, x_of(year), my, r, {}, attrs, _title(caption)))
            groups.append(_el("g", {"class": f"tl-kind tl-{kind}"} | _paint(shape, colour), *marks))
        return groups

    return _timeline(
        rows=rows,
        slots=_slots(c.year for row in rows for c in row.counts),
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


# --- Papers per year -------------------------------------------------------------------------------

BAR_MIN_WIDTH = 480
BAR_PLOT_H = 140.0
BAR_COLOUR = "#0b5cad"


def _nice_step(top: int) -> int:
    """A tick step of 1, 2, 5, 10, 20, 50… giving at most five ticks up to `top`."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if top / step <= 5:
                return step
        magnitude *= 10


def papers_per_year_svg(*, counts: Sequence[YearCount], title: str, id_prefix: str = "per-year") -> Chart:
    """A bar per year from the first to the last (empty years visible as gaps), undated papers last."""
    id_prefix = _safe_id(id_prefix)
    by_slot = {(c.year or None): c.count for c in counts if c.count}
    slots = _slots(by_slot)
    total = sum(by_slot.values())
    busiest = max(by_slot.items(), key=lambda item: (item[1], item[0] or 0), default=None)
    if busiest:
        span = [s for s in slots if s is not None]
        description = f"{total} paper{'' if total == 1 else 's'}"
        if span:
            description += f" from {span[0]} to {span[-1]}"
        label = busiest[0] or "no year"
        description += f"; most in {label} ({busiest[1]})."
    else:
        description = "No papers yet."

    left, top = 36.0, 16.0
    bar_w = min(48.0, max(16.0, (BAR_MIN_WIDTH - left - 8) / max(1, len(slots))))
    width = max(BAR_MIN_WIDTH, left + len(slots) * bar_w + 8)
    axis_y = top + BAR_PLOT_H
    highest = max(by_slot.values(), default=1)
    step = _nice_step(highest)
    scale_top = math.ceil(highest / step) * step
    slot_index = {slot: i for i, slot in enumerate(slots)}

    def x_of(slot) -> float:
        return left + slot_index[slot] * bar_w + bar_w / 2

    body = []
    for tick in range(0, scale_top + 1, step):
        ty = axis_y - BAR_PLOT_H * tick / scale_top
        body.append(_el("line", {"x1": left, "x2": width - 8, "y1": ty, "y2": ty, "stroke": GRID}))
        body.append(
            _el("text", {"x": left - 6, "y": ty + 4, "text-anchor": "end", "font-size": "11", "fill": MUTED}, tick)
        )
    bars = []
    for slot in slots:
        count = by_slot.get(slot, 0)
        if not count:
            continue
        h = BAR_PLOT_H * count / scale_top
        x = x_of(slot)
        label = str(slot) if slot else "no year"
        attrs = {
            "class": "bar",
            "x": x - bar_w * 0.35,
            "y": axis_y - h,
            "width": bar_w * 0.7,
            "height": h,
            "fill": BAR_COLOUR,
            "data-year": slot or "",
            "data-count": count,
        }
        bars.append(_el("rect", attrs, _title(f"{label}: {count} paper{'' if count == 1 else 's'}")))
        # The number on the bar: exact values without hovering, and in print.
        bars.append(_el("text", {"x": x, "y": axis_y - h - 3, "text-anchor": "middle", "font-size": "10"}, count))
    body.append(_el("g", {"class": "bars"}, *bars))
    body.append(_el("line", {"x1": left, "x2": width - 8, "y1": axis_y, "y2": axis_y, "stroke": MUTED}))
    body.extend(_year_axis(slots, x_of=x_of, y=axis_y + 16, grid_top=axis_y, grid_bottom=axis_y + 4))
    svg = _svg(
        width=width,
        height=axis_y + 24,
        id_prefix=id_prefix,
        title=title,
        description=description,
        css="chart-per-year",
        role="img",
        body=body,
    )
    data = tuple(YearCount(slot, by_slot[slot]) for slot in slots if slot in by_slot)
    return Chart(svg=svg, title=title, description=description, data=data)


# --- Co-author neighbourhood -----------------------------------------------------------------------

CG_WIDTH, CG_HEIGHT = 760.0, 560.0
CG_RADIUS = 170.0
CG_CENTRE = (CG_WIDTH / 2, CG_HEIGHT / 2 + 12)


def _circle_order(graph: CoauthorGraph) -> list[GraphNode]:
    """Deterministic order round the circle: group by group, and inside a group each next node is the
    one most tied to the previous, so tightly knit co-authors sit side by side and chords stay short."""
    strength: dict[tuple[int, int], int] = defaultdict(int)
    for tie in graph.ties:
        strength[(tie.a.pk, tie.b.pk)] += tie.weight
        strength[(tie.b.pk, tie.a.pk)] += tie.weight
    base = sorted(graph.nodes, key=lambda n: (n.group is None, n.group or 0, -n.weight, n.label, n.pk))
    order: list[GraphNode] = []
    for _, members in groupby(base, key=lambda n: n.group):
        left = list(members)
        current = left.pop(0)
        order.append(current)
        while left:
            pk = current.pk
            current = max(left, key=lambda n: (strength[(pk, n.pk)], n.weight, -left.index(n)))
            left.remove(current)
            order.append(current)
    return order


def _tie_path(a: tuple[float, float], b: tuple[float, float], centre: tuple[float, float], avoid: float) -> str:
    """A straight chord, bent aside when it would run through the centre node (and read as two spokes)."""
    (ax, ay), (bx, by), (cx, cy) = a, b, centre
    dx, dy = bx - ax, by - ay
    length = math.hypot(dx, dy) or 1.0
    # Distance from the centre to the chord's line.
    distance = abs(dx * (ay - cy) - dy * (ax - cx)) / length
    if distance > avoid:
        return f"M{_num(ax)} {_num(ay)} L{_num(bx)} {_num(by)}"
    nx, ny = -dy / length, dx / length
    mx, my = (ax + bx) / 2 + nx * CG_RADIUS * 0.55, (ay + by) / 2 + ny * CG_RADIUS * 0.55
    return f"M{_num(ax)} {_num(ay)} Q{_num(mx)} {_num(my)} {_num(bx)} {_num(by)}"


def coauthor_graph_svg(*, graph: CoauthorGraph, title: str, id_prefix: str = "coauthors") -> Chart:
    """The row in the middle, its frequent co-authors round it, spokes for shared papers, chords for
    co-authors who wrote together; every node links to its author row. Groups (a split suggestion)
    get a colour and a shape each."""
    id_prefix = _safe_id(id_prefix)
    order = _circle_order(graph)
    cx, cy = CG_CENTRE
    heaviest = max([n.weight for n in order] + [1])
    heaviest_tie = max([t.weight for t in graph.ties] + [1])
    positions = {graph.centre.pk: (cx, cy)}
    angles = {}
    for i, node in enumerate(order):
        # Start at the top and go clockwise.
        angle = -math.pi / 2 + 2 * math.pi * i / len(order)
        angles[node.pk] = angle
        positions[node.pk] = (cx + CG_RADIUS * math.cos(angle), cy + CG_RADIUS * math.sin(angle))

    def node_r(node: GraphNode) -> float:
        return 5 + 9 * math.sqrt(node.weight / heaviest)

    spokes = []
    for node in order:
        (x, y), w = positions[node.pk], node.weight
        # Width tells the shared count at a glance; the node's title and the text alternative say it.
        attrs = {"x1": cx, "y1": cy, "x2": x, "y2": y, "stroke": "#b8bfc9", "stroke-width": 1 + 4 * w / heaviest}
        spokes.append(_el("line", {"class": "cg-spoke"} | attrs))
    chords = []
    for tie in graph.ties:
        if tie.a.pk not in positions or tie.b.pk not in positions:
            continue
        d = _tie_path(positions[tie.a.pk], positions[tie.b.pk], (cx, cy), avoid=24)
        attrs = {
            "class": "cg-tie",
            "d": d,
            "fill": "none",
            "stroke": "#5a6b7d",
            "stroke-width": 1 + 3 * tie.weight / heaviest_tie,
            "data-a": tie.a.pk,
            "data-b": tie.b.pk,
            "data-weight": tie.weight,
        }
        papers = f"{tie.weight} paper{'' if tie.weight == 1 else 's'}"
        chords.append(_el("path", attrs, _title(f"{tie.a.label} and {tie.b.label}: {papers} together")))

    grouped = bool(graph.group_labels)
    nodes = []
    for node in order:
        x, y = positions[node.pk]
        angle = angles[node.pk]
        r = node_r(node)
        if grouped:
            colour, shape = GROUP_STYLES[node.group % len(GROUP_STYLES)] if node.group is not None else NO_GROUP_STYLE
        else:
            colour, shape = BAR_COLOUR, "circle"
        cos, sin = math.cos(angle), math.sin(angle)
        lx, ly = cx + (CG_RADIUS + r + 8) * cos, cy + (CG_RADIUS + r + 8) * sin
        anchor = "start" if cos > 0.25 else "end" if cos < -0.25 else "middle"
        ly += 5 if abs(sin) < 0.9 else (16 if sin > 0 else -4)
        shared = f"{node.weight} shared paper{'' if node.weight == 1 else 's'}"
        hover = f"{node.label}: {shared}" + (f"; {node.group_label}" if node.group_label else "")
        nodes.append(
            _el(
                "a",
                {"href": node.url, "class": "cg-node", "data-author": node.pk},
                _title(hover),
                _shape(shape, x, y, r, _paint(shape, colour), {"class": "cg-dot"}),
                _el("text", {"x": lx, "y": ly, "text-anchor": anchor, "font-size": "14"}, _truncate(node.label, 24)),
            )
        )
    c = graph.centre
    papers = f"{c.weight} paper{'' if c.weight == 1 else 's'}"
    nodes.append(
        _el(
            "a",
            {"href": c.url, "class": "cg-node cg-centre", "data-author": c.pk},
            _title(f"{c.label}: {papers}"),
            _el(
                "circle",
                {
                    "class": "cg-dot",
                    "cx": cx,
                    "cy": cy,
                    "r": 16.0,
                    "fill": INK,
                    "stroke": "#ffffff",
                    "stroke-width": "3",
                },
            ),
            _el(
                "text",
                {"x": cx, "y": cy + 32, "text-anchor": "middle", "font-size": "15", "font-weight": "bold"},
                _truncate(c.label, 30),
            ),
        )
    )
    body = []
    if grouped:
        items = [(label, *GROUP_STYLES[i % len(GROUP_STYLES)]) for i, label in enumerate(graph.group_labels)]
        if any(n.group is None for n in order):
            items.append(("no group", *NO_GROUP_STYLE))
        body.extend(_legend(items, x=12, y=22, size=14)[0])
    if not order:
        body.append(
            _el(
                "text",
                {"x": cx, "y": cy - 40, "text-anchor": "middle", "font-size": "12", "fill": MUTED},
                "No co-authors yet.",
            )
        )
    body += [_el("g", {"class": "cg-spokes"}, *spokes), _el("g", {"class": "cg-ties"}, *chords), *nodes]

    n = len(order)
    description = f"{c.label} in the middle, with {n} frequent co-author{'' if n == 1 else 's'} around"
    if order:
        top = ", ".join(f"{node.label} ({node.weight})" for node in order[:5] if node.weight)
        description += f"; line width shows papers shared. Most shared: {top}"
    description += f". {len(graph.ties)} pair{'' if len(graph.ties) == 1 else 's'} of them also wrote together."
    svg = _svg(
        width=CG_WIDTH,
        height=CG_HEIGHT,
        id_prefix=id_prefix,
        title=title,
        description=description,
        css="chart-coauthors",
        # Not role="img": the nodes are links, and an image's children are hidden from assistive tech.
        role="group",
        body=body,
    )
    return Chart(svg=svg, title=title, description=description, data=graph)
