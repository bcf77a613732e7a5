"""Every public page type is valid HTML for the Nu Html Checker (vnu.jar from npm, run on our Java)."""

import json
import subprocess
from pathlib import Path
from tempfile import TemporaryDirectory

from django.test import TestCase

from authors.models import Author
from papers.models import Paper, Venue
from tests.browser_tools import VNU_JAR, require_java_and_vnu
from tests.factories import make_author, make_paper
from tests.pages_data import HOSTILE, import_sample, make_big_cluster


def page_urls() -> dict[str, str]:
    """One URL per page type, on the sample data (plus a hostile paper, so escaping is validated too)."""
    row = Author.objects.filter(cluster__slug="keivan-rezaei").order_by("-paper_count").first()
    paper = Paper.objects.get(title="Localizing Knowledge in Diffusion Transformers")
    hostile = Paper.objects.get(title__startswith="*<script>")
    return {
        "home": "/",
        "cluster": "/clusters/keivan-rezaei/",
        "cluster-filtered": f"/clusters/keivan-rezaei/?author={row.pk}&year=2024",
        "cluster-invalid": "/clusters/keivan-rezaei/?year=nope",
        # Over TIMELINE_PAPERS_MAX papers: the timeline counts, and its text alternative is tables.
        "cluster-counted": "/clusters/wei-zhang/",
        "author": row.get_absolute_url(),
        "paper": paper.get_absolute_url(),
        "paper-hostile": hostile.get_absolute_url(),
        "list": "/papers/?o=-year",
        "list-invalid": "/papers/?year=abc",
        "venues": "/venues/",
        "venue": Venue.objects.get(short_name="NeurIPS").get_absolute_url(),
        "search": "/search/?q=rezaei",
        "search-empty": "/search/",
        "report-paper": f"/report/paper/{paper.pk}/",
        "report-author": f"/report/author/{row.pk}/",
        "report-status": row.correction_requests.create(
            kind="two_people", target_type="author", target_label=row.full_name, message="Two people.\nSee the list."
        ).get_absolute_url(),
        "report-status-hostile": hostile.correction_requests.create(
            kind="other", target_type="paper", target_label=hostile.title, message=hostile.title, reply=hostile.title
        ).get_absolute_url(),
    }


def add_hostile_paper() -> None:
    eve = make_author(f"Eve {HOSTILE}")
    make_paper([eve], title=f"*{HOSTILE}* ${HOSTILE}$", abstract=f"\\emph{{{HOSTILE}}} " * 60 + ". Tail.")


class HtmlValidityTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        import_sample()
        add_hostile_paper()
        make_big_cluster(120)

    def test_every_page_type_passes_the_nu_html_checker(self):
        java = require_java_and_vnu()
        with TemporaryDirectory() as tmp:
            files = []
            for name, url in page_urls().items():
                response = self.client.get(url)
                self.assertIn(response.status_code, (200, 400), url)
                path = Path(tmp) / f"{name}.html"
                path.write_bytes(response.content)
                files.append(str(path))
            # One JVM for all pages; vnu writes its JSON report to stderr.
            result = subprocess.run(
                [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
                capture_output=True,
                text=True,
                timeout=300,
            )
        messages = json.loads(result.stderr or '{"messages": []}')["messages"]
        errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages]
        self.assertEqual(errors, [], "\n".join(errors))
