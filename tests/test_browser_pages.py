"""The public pages in headless Chromium: no serious axe-core violations, and the journey a reader takes.

Debian's chromium, driven by Playwright through `executable_path` (no `playwright install`). The
sync Playwright API runs an event loop in this thread, so Django's async-safety check must be told
these tests are fine (DJANGO_ALLOW_ASYNC_UNSAFE, set for this class only).
"""

import os

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from authors.models import Author
from papers.models import Paper
from tests.browser_tools import AXE_JS, CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.pages_data import import_sample

AXE_PAGES = ["/", "/clusters/keivan-rezaei/", "{author}", "{paper}", "/papers/", "/search/?q=rezaei", "/venues/"]


@pytest.mark.browser
class BrowserPageTests(StaticLiveServerTestCase):
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

    def test_no_serious_or_critical_axe_violations(self):
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


@pytest.mark.browser
class ClusterTimelineScreenshotTests(BrowserPageTests):
    """The cluster page's timeline as a reader sees it: drawn, one mark per paper, at phone and desktop widths."""

    test_no_serious_or_critical_axe_violations = None
    test_a_reader_searches_a_name_reaches_the_cluster_and_opens_a_paper = None

    def test_the_cluster_timeline_is_drawn_with_one_mark_per_paper(self):
        shots = os.environ.get("ARROW_CHART_SHOTS")
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
            png = timeline.screenshot(path=f"{shots}/cluster-timeline-{width}.png" if shots else None)
            self.assertGreater(len(png), 1000)  # a real picture, not an empty box
