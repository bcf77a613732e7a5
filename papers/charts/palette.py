"""The charts' colours, and the colour and shape of each venue kind and co-author group."""

from papers.models import Venue

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
INK = "#1d1f23"
MUTED = "#555b66"
GRID = "#d5d9e0"
STRIPE = "#f4f6f9"
LINK = "#0b5cad"  # the site's link colour (static/css/arrow.css --accent)
BAR_COLOUR = "#0b5cad"

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


def drawn_kind(kind: str) -> str:
    """The venue kind a mark is drawn as: an unknown one as Other."""
    return kind if kind in KIND_STYLES else Venue.Kind.OTHER
