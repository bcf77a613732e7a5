"""OpenAlex works imports: the real work W2741809807, snapshot JSON Lines (gzipped or not), bad works."""

import gzip
import json
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import CommandError, call_command
from django.test import TestCase

from authors.models import Author, AuthorKey
from papers.models import Paper, PaperSource
from tests.conftest import SHARED

WORK = SHARED / "data" / "real" / "openalex" / "W2741809807.json"


def run_import(*args, **options) -> str:
    out = StringIO()
    call_command("import_papers", *[str(a) for a in args], stdout=out, stderr=out, **options)
    return out.getvalue()


class OpenAlexTests(TestCase):
    def setUp(self):
        self.tmp = TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.work = json.loads(WORK.read_text())

    def test_it_imports_the_real_work(self):
        output = run_import(WORK)

        self.assertIn("1 created", output)
        paper = Paper.objects.get()
        self.assertEqual(paper.title[:16], "The state of OA:")
        self.assertEqual((paper.year, paper.pub_type, paper.doi), (2018, "journal-article", "10.7717/peerj.4375"))
        self.assertEqual((paper.venue.short_name, paper.venue.kind), ("PeerJ", "journal"))
        self.assertEqual(paper.openalex_id, "W2741809807")
        self.assertEqual(PaperSource.objects.get().source_id, "W2741809807")

    def test_it_rebuilds_the_abstract_word_for_word(self):
        run_import(WORK)

        words = Paper.objects.get().abstract.split(" ")
        index = self.work["abstract_inverted_index"]
        self.assertEqual(len(words), sum(len(p) for p in index.values()))
        for word, positions in index.items():
            for position in positions:
                self.assertEqual(words[position], word)
        self.assertTrue(Paper.objects.get().abstract.startswith("Despite growing interest in Open Access (OA)"))

    def test_authors_are_keyed_by_openalex_id_with_orcids(self):
        run_import(WORK)

        paper = Paper.objects.get()
        first = paper.authorships.get(position=1)
        self.assertEqual((first.printed_name, first.source_key), ("Heather Piwowar", "A5048491430"))
        self.assertEqual(first.author.orcid, "0000-0003-1613-5981")
        self.assertEqual(AuthorKey.objects.filter(source="openalex").count(), 9)
        self.assertTrue(Author.objects.filter(name="Vincent Larivière").exists())

    def test_it_reads_a_pretty_printed_work_and_gzipped_json_lines(self):
        pretty = Path(self.tmp.name) / "work.json"
        pretty.write_text(json.dumps(self.work, indent=2))
        second = {**self.work, "id": "https://openalex.org/W1", "doi": None, "title": "Another work"}
        lines = Path(self.tmp.name) / "works.jsonl.gz"
        lines.write_bytes(gzip.compress((json.dumps(self.work) + "\n" + json.dumps(second) + "\n").encode()))

        self.assertIn("1 created", run_import(pretty))
        self.assertIn("1 created, 0 updated, 1 unchanged", run_import(lines))

        self.assertEqual(Paper.objects.count(), 2)

    def test_a_work_of_the_wrong_shape_refuses_the_file(self):
        bad = {**self.work, "publication_year": "2018"}
        path = Path(self.tmp.name) / "works.jsonl"
        path.write_text(json.dumps(self.work) + "\n" + json.dumps(bad) + "\n")
        out = StringIO()

        with self.assertRaises(CommandError):
            call_command("import_papers", str(path), stdout=out, stderr=out)

        self.assertIn('line 2: "publication_year" must be a whole number', out.getvalue())
        self.assertEqual(Paper.objects.count(), 0)
