"""The public pages in headless Chromium: no serious axe-core violations, and the journey a reader takes.

Debian's chromium, driven by Playwright through `executable_path` (no `playwright install`). The
sync Playwright API runs an event loop in this thread, so Django's async-safety check must be told
these tests are fine (DJANGO_ALLOW_ASYNC_UNSAFE, set for this class only).
"""

import io
import os

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from authors.models import Author, NameCluster
from authors.selectors import cluster_timeline
from papers.charts import KIND_STYLES
from papers.models import Paper, Venue
from tests.browser_tools import AXE_JS, CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.pages_data import import_sample, make_big_cluster

AXE_PAGES = [
    "/",
    "/clusters/keivan-rezaei/",
    "/clusters/wei-zhang/",  # over TIMELINE_PAPERS_MAX papers: a counted timeline, tables for its text
    "{author}",
    "{paper}",
    "/papers/",
    "/search/?q=rezaei",
    "/venues/",
]


class BrowserTestCase(StaticLiveServerTestCase):
    """Chromium for the whole class, a fresh browser context per page, the sample data in the database."""

    @classmethod
    def setUpClass(cls):
        require_chromium()
        cls._async_unsafe = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()
        if cls._async_unsafe is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = cls._async_unsafe

    def setUp(self):
        import_sample()

    def new_page(self, **context_options):
        context = self.browser.new_context(**context_options)
        self.addCleanup(context.close)
        return context.new_page()


@pytest.mark.browser
class BrowserPageTests(BrowserTestCase):
    def test_no_serious_or_critical_axe_violations(self):
        make_big_cluster(120)
        row = Author.objects.filter(cluster__slug="keivan-rezaei").order_by("-paper_count").first()
        paper = Paper.objects.get(title="Localizing Knowledge in Diffusion Transformers")
        # axe is injected as an inline script, which our Content Security Policy rightly blocks.
        page = self.new_page(bypass_csp=True)
        found = {}
        for template in AXE_PAGES:
            url = template.format(author=row.get_absolute_url(), paper=paper.get_absolute_url())
            response = page.goto(self.live_server_url + url)
            self.assertEqual(response.status, 200, url)
            page.add_script_tag(path=str(AXE_JS))
            violations = page.evaluate("async () => (await axe.run()).violations")
            serious = [v for v in violations if v["impact"] in ("serious", "critical")]
            bad = [f"{v['id']} ({v['impact']}): {v['help']}" for v in serious]
            if bad:
                found[url] = bad
        self.assertEqual(found, {})

    def test_a_reader_searches_a_name_reaches_the_cluster_and_opens_a_paper(self):
        page = self.new_page()
        problems = []
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))

        page.goto(self.live_server_url + "/")
        page.fill("#home-q", "keivan")
        page.click("form.home-search button[type=submit]")
        page.wait_for_url("**/search/?q=keivan")
        page.click("text=Keivan Rezaei")
        page.wait_for_url("**/clusters/keivan-rezaei/")
        self.assertEqual(page.inner_text("h1"), "Keivan Rezaei")
        self.assertIn("9 papers", page.inner_text("ul.stats"))

        first = page.locator("article.paper h3 a").first
        title = first.inner_text()
        first.click()
        page.wait_for_url("**/papers/*/*/")
        self.assertEqual(page.inner_text("h1"), title)
        self.assertIn("Where this record came from", page.content())
        # The stylesheet loaded (strict CSP allows our own files) and nothing complained.
        self.assertEqual(page.evaluate("getComputedStyle(document.body).margin"), "0px")
        self.assertEqual(problems, [])

    def test_a_folded_abstract_opens_without_javascript(self):
        page = self.new_page(java_script_enabled=False)
        page.goto(self.live_server_url + "/clusters/keivan-rezaei/")

        details = page.locator("article.paper details").first
        self.assertFalse(details.locator("p").is_visible())
        details.locator("summary").click()
        self.assertTrue(details.locator("p").is_visible())


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def count_colours(image, colours: dict[str, str], tolerance: int = 24) -> dict[str, int]:
    """Pixels of `image` (RGB) within `tolerance` of each colour, per channel: a mark's inside, not its
    anti-aliased edge (which blends with the white or grey behind it)."""
    targets = {name: hex_rgb(colour) for name, colour in colours.items()}
    counts = dict.fromkeys(colours, 0)
    for n, pixel in image.getcolors(maxcolors=image.width * image.height):
        for name, target in targets.items():
            if all(abs(a - b) <= tolerance for a, b in zip(pixel, target, strict=True)):
                counts[name] += n
    return counts


@pytest.mark.browser
class ClusterTimelineScreenshotTests(BrowserTestCase):
    """The cluster page's timeline as a reader sees it: drawn, one mark per paper, in the venue-kind
    colours (papers/charts/palette.py KIND_STYLES), at phone and desktop widths."""

    def expected_kinds(self) -> dict[int, dict[str, int]]:
        """Per author row, how many of its marks each venue kind has (what the screenshot should show)."""
        rows = cluster_timeline(cluster=NameCluster.objects.get(slug="keivan-rezaei"))
        kinds = {}
        for row in rows:
            counts = dict.fromkeys(KIND_STYLES, 0)
            for paper in row.papers:
                counts[paper.kind if paper.kind in KIND_STYLES else Venue.Kind.OTHER] += 1
            kinds[row.author_pk] = counts
        return kinds

    def test_the_cluster_timeline_is_drawn_with_one_mark_per_paper(self):
        from PIL import Image

        shots = os.environ.get("ARROW_CHART_SHOTS")
        expected = self.expected_kinds()
        colours = {kind: colour for kind, (colour, _) in KIND_STYLES.items()}
        self.assertEqual(sum(sum(counts.values()) for counts in expected.values()), 9)
        for width in (375, 1280):
            page = self.new_page(viewport={"width": width, "height": 900})
            response = page.goto(self.live_server_url + "/clusters/keivan-rezaei/")
            self.assertEqual(response.status, 200)
            timeline = page.locator("svg:has(.tl-mark)")
            box = timeline.bounding_box()
            self.assertGreater(box["width"], 200)
            self.assertGreater(box["height"], 40)
            self.assertEqual(page.locator(".tl-mark").count(), 9)  # 7 papers of one row, 2 of the other
            self.assertEqual(page.locator(".tl-row").count(), 2)
            # The scroller, not the SVG: on a phone the SVG is wider than the screen, and the picture
            # is what a reader sees before scrolling sideways.
            scroller = page.locator(".chart-scroll:has(.tl-mark)")
            scroller.scroll_into_view_if_needed()
            box = scroller.bounding_box()
            png = scroller.screenshot(path=f"{shots}/cluster-timeline-{width}.png" if shots else None)
            image = Image.open(io.BytesIO(png)).convert("RGB")
            scale = image.width / box["width"]  # device pixels per CSS pixel
            for author_pk, counts in expected.items():
                with self.subTest(width=width, row=author_pk):
                    row = page.locator(f".tl-row[data-author='{author_pk}']").bounding_box()
                    self.assertLessEqual(row["x"] + row["width"], box["x"] + box["width"])  # in the picture
                    crop = [row["x"] - box["x"], row["y"] - box["y"], row["x"] + row["width"] - box["x"]]
                    crop.append(row["y"] + row["height"] - box["y"])
                    seen = count_colours(image.crop(tuple(round(v * scale) for v in crop)), colours)
                    for kind, marks in counts.items():
                        if marks:
                            # A mark is 5 to 7 CSS pixels across: at least 8 pixels of its very colour each.
                            self.assertGreaterEqual(seen[kind], 8 * marks, (kind, seen))
                        else:
                            self.assertLess(seen[kind], 4, (kind, seen))
