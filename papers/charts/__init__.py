"""Server-rendered SVG charts: a name cluster's timeline, an author row's papers per year, its co-authors.

Pure functions of plain data (`data.py`; `authors/selectors.py` builds it from the database in a
constant number of queries). Each returns a `Chart`: the SVG as a SafeString plus the data its text
alternative lists (templates/jinja2/charts/*.html render both). `svg.py` says why the SVG is safe.
"""

from papers.charts.coauthors import coauthor_graph_svg
from papers.charts.data import (
    Chart,
    ChartPaper,
    CoauthorGraph,
    GraphNode,
    GraphTie,
    TimelineCount,
    TimelineCountRow,
    TimelineRow,
    YearCount,
)
from papers.charts.palette import KIND_STYLES
from papers.charts.per_year import papers_per_year_svg
from papers.charts.timeline import timeline_counts_svg, timeline_svg

__all__ = [
    "KIND_STYLES",
    "Chart",
    "ChartPaper",
    "CoauthorGraph",
    "GraphNode",
    "GraphTie",
    "TimelineCount",
    "TimelineCountRow",
    "TimelineRow",
    "YearCount",
    "coauthor_graph_svg",
    "papers_per_year_svg",
    "timeline_counts_svg",
    "timeline_svg",
]
