"""An author row's co-author neighbourhood: the row in the middle, its frequent co-authors round it."""

import math
from collections import defaultdict
from itertools import groupby

from papers.charts.data import Chart, CoauthorGraph, GraphNode
from papers.charts.palette import BAR_COLOUR, GROUP_STYLES, INK, MUTED, NO_GROUP_STYLE
from papers.charts.svg import el, legend_row, mark, num, paint_for, safe_id, svg_root, tooltip, truncate

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
        return f"M{num(ax)} {num(ay)} L{num(bx)} {num(by)}"
    nx, ny = -dy / length, dx / length
    mx, my = (ax + bx) / 2 + nx * CG_RADIUS * 0.55, (ay + by) / 2 + ny * CG_RADIUS * 0.55
    return f"M{num(ax)} {num(ay)} Q{num(mx)} {num(my)} {num(bx)} {num(by)}"


def coauthor_graph_svg(*, graph: CoauthorGraph, title: str, id_prefix: str = "coauthors") -> Chart:
    """The row in the middle, its frequent co-authors round it, spokes for shared papers, chords for
    co-authors who wrote together; every node links to its author row. Groups (a split suggestion)
    get a colour and a shape each."""
    id_prefix = safe_id(id_prefix)
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
        spokes.append(el("line", {"class": "cg-spoke"} | attrs))
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
        chords.append(el("path", attrs, tooltip(f"{tie.a.label} and {tie.b.label}: {papers} together")))

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
            el(
                "a",
                {"href": node.url, "class": "cg-node", "data-author": node.pk},
                tooltip(hover),
                mark(shape, x, y, r, paint_for(shape, colour), {"class": "cg-dot"}),
                el("text", {"x": lx, "y": ly, "text-anchor": anchor, "font-size": "14"}, truncate(node.label, 24)),
            )
        )
    c = graph.centre
    papers = f"{c.weight} paper{'' if c.weight == 1 else 's'}"
    nodes.append(
        el(
            "a",
            {"href": c.url, "class": "cg-node cg-centre", "data-author": c.pk},
            tooltip(f"{c.label}: {papers}"),
            el(
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
            el(
                "text",
                {"x": cx, "y": cy + 32, "text-anchor": "middle", "font-size": "15", "font-weight": "bold"},
                truncate(c.label, 30),
            ),
        )
    )
    body = []
    if grouped:
        items = [(label, *GROUP_STYLES[i % len(GROUP_STYLES)]) for i, label in enumerate(graph.group_labels)]
        if any(n.group is None for n in order):
            items.append(("no group", *NO_GROUP_STYLE))
        body.extend(legend_row(items, x=12, y=22, size=14)[0])
    if not order:
        body.append(
            el(
                "text",
                {"x": cx, "y": cy - 40, "text-anchor": "middle", "font-size": "12", "fill": MUTED},
                "No co-authors yet.",
            )
        )
    body += [el("g", {"class": "cg-spokes"}, *spokes), el("g", {"class": "cg-ties"}, *chords), *nodes]

    n = len(order)
    description = f"{c.label} in the middle, with {n} frequent co-author{'' if n == 1 else 's'} around"
    if order:
        top = ", ".join(f"{node.label} ({node.weight})" for node in order[:5] if node.weight)
        description += f"; line width shows papers shared. Most shared: {top}"
    description += f". {len(graph.ties)} pair{'' if len(graph.ties) == 1 else 's'} of them also wrote together."
    svg = svg_root(
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
