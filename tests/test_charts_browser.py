"""The charts in headless Chromium: axe-core accepts them with their text alternatives, and they
draw at phone and desktop widths. (The cluster-page screenshot test comes with the page wiring.)"""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.template.loader import render_to_string
from django.test import TestCase

from authors.selectors import author_coauthor_graph_chart, author_papers_per_year_chart, cluster_timeline_chart
from papers.models import Venue
from tests.browser_tools import AXE_JS, CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.conftest import ROOT
from tests.factories import make_author, make_paper, make_venue

# Where a developer can look at the pictures: `ARROW_CHART_SHOTS=/tmp/shots pytest tests/test_charts_browser.py`.
SHOTS = os.environ.get("ARROW_CHART_SHOTS")
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Charts</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Charts</h1><h2>Timeline</h2>{timeline}<h2>Per year</h2>{per_year}
<h2>Co-authors</h2>{graph}</main></body></html>"""


@pytest.mark.browser
class ChartBrowserTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        kinds = [Venue.Kind.CONFERENCE, Venue.Kind.JOURNAL, Venue.Kind.WORKSHOP, Venue.Kind.PREPRINT]
        venues = [make_venue(kind=kind) for kind in kinds]
        rows = [make_author("Keivan Rezaei 0001"), make_author("Keivan Rezaei 0002")]
        people = [
            make_author(f"Co Author{n} With A Rather Long Name" if n == 3 else f"Co Author{n}") for n in range(10)
        ]
        for i in range(40):
            row = rows[0] if i < 28 else rows[1]
            year = 2012 + i % 8 if row is rows[0] else 2021 + i % 4
            venue = venues[i % 4] if i % 7 else None
            make_paper([row, people[i % 5 + (5 if row is rows[1] else 0)], people[(i + 1) % 5]], year=year, venue=venue)
        cls.cluster = rows[0].cluster
        cls.row = rows[0]
        cls.row.refresh_from_db()

    @classmethod
    def setUpClass(cls):
        require_chromium()
        super().setUpClass()
        cls.html = cls.render_page()

    @classmethod
    def render_page(cls) -> str:
        # The split page's case: the row's papers in two groups, coloured in the co-author graph.
        groups = [
            list(cls.row.authorships.filter(paper__year__lt=2016).values_list("paper_id", flat=True)),
            list(cls.row.authorships.filter(paper__year__gte=2016).values_list("paper_id", flat=True)),
        ]
        return PAGE.format(
            timeline=render_to_string("charts/_timeline.html", {"chart": cluster_timeline_chart(cluster=cls.cluster)}),
            per_year=render_to_string("charts/_per_year.html", {"chart": author_papers_per_year_chart(author=cls.row)}),
            graph=render_to_string(
                "charts/_coauthors.html",
                {"chart": author_coauthor_graph_chart(author=cls.row, paper_groups=groups)},
            ),
        )

    def in_chromium(self, width: int, look):
        """Open the page at this width and return what `look(page)` returns.

        In a thread of its own: the sync Playwright API runs an event loop in its thread, and Django
        refuses database work (this test case's transaction) in a thread with a running loop.
        """

        def run():
            from playwright.sync_api import sync_playwright

            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
                try:
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.set_content(self.html)
                    for css in ("arrow.css", "charts.css"):
                        page.add_style_tag(path=str(ROOT / "static" / "css" / css))
                    return look(page)
                finally:
                    browser.close()

        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(run).result()

    def test_axe_finds_no_violations(self):
        def axe(page):
            page.add_script_tag(path=str(AXE_JS))
            return page.evaluate("async () => (await axe.run()).violations")

        violations = self.in_chromium(1024, axe)
        self.assertEqual([f"{v['id']} ({v['impact']}): {v['help']}" for v in violations], [])

    def test_it_draws_at_phone_and_desktop_widths(self):
        def measure(page):
            if SHOTS:
                Path(SHOTS).mkdir(parents=True, exist_ok=True)
                page.screenshot(path=f"{SHOTS}/charts-{page.viewport_size['width']}.png", full_page=True)
            boxes = [svg.bounding_box() for svg in page.locator("svg.chart-svg").all()]
            return boxes, page.evaluate("document.documentElement.scrollWidth")

        for width in (375, 1024):
            boxes, scroll_width = self.in_chromium(width, measure)
            self.assertEqual(len(boxes), 3)
            for box in boxes:
                self.assertGreater(box["height"], 80, width)
            # Only the timeline's own scroller may be wider than a phone; the page never is.
            self.assertLessEqual(scroll_width, width)

    def test_a_coauthor_node_is_a_link_with_a_name(self):
        def first_link(page):
            link = page.locator("svg.chart-coauthors a").first
            return link.get_attribute("href"), link.text_content()

        href, text = self.in_chromium(1024, first_link)
        self.assertTrue(href.startswith("/authors/"))
        self.assertTrue(text.strip())

    def test_a_timeline_row_label_is_a_link_with_a_name(self):
        def row_links(page):
            timeline = page.locator("svg.chart-timeline")
            named = timeline.get_by_role("link", name="Keivan Rezaei 0001 (28)", exact=True)
            return [link.get_attribute("href") for link in timeline.get_by_role("link").all()], named.count()

        hrefs, named = self.in_chromium(1024, row_links)
        # Both rows, in the chart's order (most papers first); the marks are not links.
        self.assertEqual(len(hrefs), 2)
        self.assertEqual(hrefs[0], self.row.get_absolute_url())
        self.assertTrue(hrefs[1].startswith("/authors/"))
        self.assertEqual(named, 1)
