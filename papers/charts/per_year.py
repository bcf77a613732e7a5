"""An author row's papers per year: a bar per year from the first to the last, undated papers last."""

import math
from collections.abc import Sequence

from papers.charts.data import Chart, YearCount
from papers.charts.palette import BAR_COLOUR, GRID, MUTED
from papers.charts.svg import el, safe_id, svg_root, tooltip, year_axis, year_slots

BAR_MIN_WIDTH = 480
BAR_PLOT_H = 140.0


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
    id_prefix = safe_id(id_prefix)
    by_slot = {(c.year or None): c.count for c in counts if c.count}
    slots = year_slots(by_slot)
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
        body.append(el("line", {"x1": left, "x2": width - 8, "y1": ty, "y2": ty, "stroke": GRID}))
        body.append(
            el("text", {"x": left - 6, "y": ty + 4, "text-anchor": "end", "font-size": "11", "fill": MUTED}, tick)
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
        bars.append(el("rect", attrs, tooltip(f"{label}: {count} paper{'' if count == 1 else 's'}")))
        # The number on the bar: exact values without hovering, and in print.
        bars.append(el("text", {"x": x, "y": axis_y - h - 3, "text-anchor": "middle", "font-size": "10"}, count))
    body.append(el("g", {"class": "bars"}, *bars))
    body.append(el("line", {"x1": left, "x2": width - 8, "y1": axis_y, "y2": axis_y, "stroke": MUTED}))
    body.extend(year_axis(slots, x_of=x_of, y=axis_y + 16, grid_top=axis_y, grid_bottom=axis_y + 4))
    svg = svg_root(
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
