"""Building SVG safely: escaped elements, marks of each shape, the root element, year axes and legends.

Every element comes from `el`, which escapes attribute values and text (`html.escape`, quotes included)
and drops the control characters XML 1.0 forbids, so a hostile name can neither break out of the markup
nor make it ill-formed. No script and no style="" (the CSP stays strict): colours are presentation
attributes, overridable through the class names in static/css/charts.css.
"""

import html
import re
from collections.abc import Iterable, Sequence

from django.utils.safestring import SafeString

from papers.charts.palette import FONT, GRID, INK, MUTED, SVG_NS

# Characters XML 1.0 cannot hold even as references: stripped, or the SVG would not parse.
_XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def xml_text(value) -> str:
    text = str(value)
    # Every character XML 1.0 forbids is unprintable (controls, surrogates, U+FFFE/FFFF), so a
    # printable text, almost all of them, skips the regular expression.
    return text if text.isprintable() else _XML_INVALID.sub("", text)


def num(value: float) -> str:
    """Coordinates with one decimal at most: short, and stable across platforms for tests."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class Fragment(str):
    """A fragment `el` built (everything in it escaped); the only str that `el` does not escape."""


def el(tag: str, attrs: dict | None = None, *children) -> Fragment:
    """One SVG element. Attribute values and string children are escaped; `el` fragments are kept.

    Not format_html: its lazy-string wrappers are too slow for a timeline of thousands of marks, and
    the stdlib escape does the same job (& < > " '). Tag and attribute names are ours.
    """
    parts = [f"<{tag}"]
    for name, value in (attrs or {}).items():
        if value is None:
            continue
        # Numbers need no escaping, and most attributes of a chart are numbers.
        if isinstance(value, float):
            parts.append(f' {name}="{num(value)}"')
        elif isinstance(value, int):
            parts.append(f' {name}="{value:d}"')
        else:
            parts.append(f' {name}="{html.escape(xml_text(value))}"')
    if not children:
        parts.append("/>")
    else:
        parts.append(">")
        parts.extend(c if isinstance(c, Fragment) else html.escape(xml_text(c)) for c in children)
        parts.append(f"</{tag}>")
    return Fragment("".join(parts))


def tooltip(text: str) -> Fragment:
    """A `<title>` child: the hover text of its parent, and its name for assistive tech."""
    return el("title", None, text)


def paint_for(shape: str, colour: str) -> dict:
    """Fill (or, for the hollow ring, outline) as presentation attributes: set on a mark or its group."""
    if shape == "ring":
        # Hollow, so it differs from the filled circle without relying on colour.
        return {"fill": "#ffffff", "stroke": colour, "stroke-width": "1.8"}
    return {"fill": colour}


def mark(shape: str, x: float, y: float, r: float, paint: dict, attrs: dict | None = None, *children):
    """A mark centred on (x, y) with radius-like size r: circle, square, triangle, diamond or ring."""
    attrs = dict(attrs or {}) | paint
    if shape == "ring":
        return el("circle", attrs | {"cx": float(x), "cy": float(y), "r": float(r * 0.8)}, *children)
    if shape == "circle":
        return el("circle", attrs | {"cx": float(x), "cy": float(y), "r": float(r)}, *children)
    if shape == "square":
        side = r * 1.7
        return el("rect", attrs | {"x": x - side / 2, "y": y - side / 2, "width": side, "height": side}, *children)
    if shape == "triangle":
        points = [(x, y - r * 1.2), (x + r * 1.1, y + r * 0.85), (x - r * 1.1, y + r * 0.85)]
    else:  # diamond
        points = [(x, y - r * 1.25), (x + r * 1.25, y), (x, y + r * 1.25), (x - r * 1.25, y)]
    d = "M" + " L".join(f"{num(px)} {num(py)}" for px, py in points) + " Z"
    return el("path", attrs | {"d": d}, *children)


def safe_id(prefix: str) -> str:
    return _ID_UNSAFE.sub("-", prefix) or "chart"


def svg_root(*, width: float, height: float, id_prefix: str, title: str, description: str, css: str, role: str, body):
    """The root element: scales to its container (viewBox + width 100%), named by its title and desc."""
    tid, did = f"{id_prefix}-title", f"{id_prefix}-desc"
    attrs = {
        "xmlns": SVG_NS,
        "viewBox": f"0 0 {num(width)} {num(height)}",
        "width": "100%",
        "role": role,
        "aria-labelledby": tid,
        "aria-describedby": did,
        "class": f"chart-svg {css}",
        "font-family": FONT,
        "fill": INK,
    }
    root = el("svg", attrs, el("title", {"id": tid}, title), el("desc", {"id": did}, description), *body)
    # Safe for templates: `el` escaped every value in it.
    return SafeString(root)  # nosec B703 (every value escaped by el above)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def year_step(n_slots: int) -> int:
    """Label every year while they fit; every 2nd or 5th when the axis is long."""
    return 1 if n_slots <= 14 else 2 if n_slots <= 28 else 5 if n_slots <= 70 else 10


def year_slots(years: Iterable[int | None]) -> list[int | None]:
    """Every year from the first to the last (gaps stay visible), then None for undated papers."""
    years = set(years)
    dated = [y for y in years if y]
    slots: list[int | None] = list(range(min(dated), max(dated) + 1)) if dated else []
    return [*slots, None] if None in years or 0 in years else slots


def year_axis(slots, *, x_of, y: float, grid_top: float, grid_bottom: float) -> list[Fragment]:
    step = year_step(len(slots))
    out = []
    for slot in slots:
        if slot is not None and slot % step:
            continue
        x = x_of(slot)
        if slot is not None:
            out.append(el("line", {"x1": x, "x2": x, "y1": grid_top, "y2": grid_bottom, "stroke": GRID}))
        label = str(slot) if slot is not None else "no year"
        out.append(el("text", {"x": x, "y": y, "text-anchor": "middle", "font-size": "11", "fill": MUTED}, label))
    return out


def legend_row(items: Sequence[tuple[str, str, str]], *, x: float, y: float, size: int = 12):
    """(label, colour, shape) items in one line; returns the elements and the width used."""
    out = []
    start = x
    for label, colour, shape in items:
        out.append(mark(shape, x + 5, y - size / 3, size * 0.38, paint_for(shape, colour)))
        out.append(el("text", {"x": x + 14, "y": y, "font-size": str(size)}, label))
        # A rough text width (no font metrics on the server): generous, so labels never collide.
        x += 14 + len(label) * size * 0.58 + 18
    return out, x - start
