"""The same paper from dblp and from OpenAlex is one paper with two provenance records."""

from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.test import TestCase

from papers.models import Paper, PaperSource
from tests.conftest import SHARED

WORK = SHARED / "data" / "real" / "openalex" / "W2741809807.json"
# The dblp record of the same paper (as dblp lists it: PeerJ 2018), with the DOI as its ee.
DBLP_RECORD = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE dblp SYSTEM "dblp.dtd">
<dblp>
<article mdate="2018-03-07" key="journals/peerj/PiwowarPLAFNHWH18">
<author>Heather A. Piwowar</author>
<author>Jason Priem</author>
<author>Vincent Larivi&egrave;re</author>
<title>The state of OA: a large-scale analysis of the prevalence and impact of Open Access articles.</title>
<year>2018</year>
<journal>PeerJ</journal>
<ee>{ee}</ee>
</article>
</dblp>
"""


def run_import(*args) -> str:
    out = StringIO()
    call_command("import_papers", *[str(a) for a in args], stdout=out, stderr=out)
    return out.getvalue()


class CrossSourceTests(TestCase):
    def setUp(self):
        tmp = TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dblp = Path(tmp.name) / "dblp.xml"
        self.dblp.write_text(DBLP_RECORD.format(ee="https://doi.org/10.7717/peerj.4375"), encoding="iso-8859-1")
        self.no_doi = Path(tmp.name) / "dblp-no-doi.xml"
        self.no_doi.write_text(DBLP_RECORD.format(ee="https://peerj.com/articles/4375/"), encoding="iso-8859-1")

    def assertOnePaperFromBoth(self):
        paper = Paper.objects.get()
        sources = set(PaperSource.objects.filter(paper=paper).values_list("source", "source_id"))
        self.assertEqual(sources, {("dblp", "journals/peerj/PiwowarPLAFNHWH18"), ("openalex", "W2741809807")})
        return paper

    def test_dblp_then_openalex_is_one_paper_filled_in(self):
        run_import(self.dblp)

        self.assertIn("0 created, 1 updated", run_import(WORK))

        paper = self.assertOnePaperFromBoth()
        # dblp came first: its values stay; OpenAlex adds what dblp has not (abstract, OpenAlex id).
        self.assertEqual(paper.primary_source, "dblp")
        self.assertTrue(paper.abstract.startswith("Despite growing interest"))
        self.assertEqual((paper.openalex_id, paper.dblp_key), ("W2741809807", "journals/peerj/PiwowarPLAFNHWH18"))
        names = list(paper.authorships.order_by("position").values_list("printed_name", flat=True))
        self.assertEqual(names, ["Heather A. Piwowar", "Jason Priem", "Vincent Larivière"])

    def test_openalex_then_dblp_keeps_the_openalex_values(self):
        run_import(WORK)

        run_import(self.dblp)

        paper = self.assertOnePaperFromBoth()
        self.assertEqual(paper.primary_source, "openalex")
        self.assertEqual(paper.authorships.count(), 9)
        self.assertEqual(paper.url, "https://doi.org/10.7717/peerj.4375")

    def test_without_a_doi_title_year_and_first_authors_cluster_match(self):
        run_import(WORK)
        # The first author must share a cluster: dblp's "Heather A. Piwowar" would not, so reorder.
        self.no_doi.write_text(
            self.no_doi.read_text(encoding="iso-8859-1").replace("Heather A. Piwowar", "Heather Piwowar"),
            encoding="iso-8859-1",
        )

        run_import(self.no_doi)

        self.assertOnePaperFromBoth()

    def test_a_curator_locked_field_is_not_filled_by_another_source(self):
        run_import(self.dblp)
        paper = Paper.objects.get()
        paper.locked_fields = ["abstract"]
        paper.save()

        run_import(WORK)

        paper.refresh_from_db()
        self.assertEqual(paper.abstract, "")
