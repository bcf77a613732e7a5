"""The same paper from dblp and from OpenAlex is one paper with two provenance records."""

import json
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

from django.core.management import call_command
from django.test import TestCase

from papers.importing import stats
from papers.importing.engine import PaperImporter
from papers.importing.schema import first_load
from papers.importing.stats import IMPORT_MODELS
from papers.models import Paper, PaperSource
from tests.conftest import SHARED
from tests.gates import postgresql_only

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


class OneFileTwoSourcesTests(TestCase):
    """A first load skips matching while every paper it made comes from the record's own source
    (PaperImporter.may_match): a second source in the same file still matches, batch after batch."""

    def write(self, *records: dict) -> Path:
        tmp = Path(self.enterContext(TemporaryDirectory()))
        path = tmp / "papers.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return path

    @staticmethod
    def record(source: str, source_id: str, title: str, **extra) -> dict:
        return {"source": source, "source_id": source_id, "title": title, "year": 2020,
                "authors": [{"name": "Ada Lovelace"}], **extra}  # fmt: skip

    def test_a_second_source_in_one_file_matches_by_doi_and_by_title_across_batches(self):
        path = self.write(
            self.record("one", "1", "A Paper", doi="10.1/a"),
            self.record("one", "2", "Another Paper"),
            self.record("two", "x", "A paper (the other source's title)", doi="10.1/A"),
            self.record("two", "y", "Another paper"),
        )
        output = run_import(path, "--batch-size", "1")

        self.assertIn("2 created, 2 updated", output)
        sources = {
            paper.title: sorted(paper.sources.values_list("source", "source_id")) for paper in Paper.objects.all()
        }
        self.assertEqual(
            sources, {"A Paper": [("one", "1"), ("two", "x")], "Another Paper": [("one", "2"), ("two", "y")]}
        )

    def test_records_of_one_source_are_never_matched_to_each_other(self):
        path = self.write(
            self.record("one", "1", "A Paper", doi="10.1/a"), self.record("one", "2", "A Paper", doi="10.1/a")
        )

        self.assertIn("2 created, 0 updated", run_import(path, "--batch-size", "1"))
        self.assertEqual(Paper.objects.count(), 2)

    def test_only_a_first_load_skips_matching(self):
        # Without the first load's lock a concurrent import or a curator may add another source's
        # paper while this import runs: every record is matched then.
        self.assertTrue(PaperImporter().matcher.may_match("one"))

    @postgresql_only("a first load is PostgreSQL's")
    def test_a_first_load_matches_once_another_source_made_papers(self):
        with first_load() as bulk:
            self.assertTrue(bulk)
            first = PaperImporter(bulk_load=bulk)
            self.assertFalse(first.matcher.may_match("one"))
            first.matcher.sources_created.add("one")
            self.assertEqual((first.matcher.may_match("one"), first.matcher.may_match("two")), (False, True))

    @postgresql_only("a first load is PostgreSQL's")
    def test_paper_statistics_wait_until_matching_has_to_look(self):
        # Mid-import ANALYZE leaves papers_paper out while one source has made every paper (no
        # lookup reads its columns then) and samples it once a second source starts matching.
        path = self.write(
            *(self.record("one", str(n), f"Paper {n}") for n in range(4)),
            self.record("two", "x", "Paper 1"),
            *(self.record("two", f"y{n}", f"Other {n}") for n in range(4)),
        )
        with (
            mock.patch("papers.importing.stats.ANALYZE_FIRST", 1),
            mock.patch("papers.importing.stats.analyze_tables", wraps=stats.analyze_tables) as analyze,
        ):
            self.assertIn("8 created, 1 updated", run_import(path, "--batch-size", "1"))

        sampled = [(kwargs.get("lookups_only", False), Paper in kwargs.get("models", IMPORT_MODELS))
                   for _, kwargs in analyze.call_args_list]  # fmt: skip
        # After papers 1, 2 and 4 (all of "one"), when "two" starts matching, after paper 8, at the end.
        expected = [(True, False), (True, False), (True, False), (True, True), (True, True), (False, True)]
        self.assertEqual(sampled, expected)
