"""The importer writes papers' search text itself (PostgreSQL): what migration 0002's triggers would write."""

from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.db import connection
from django.test import TestCase

from tests.gates import postgresql_only

HEADER = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>\n'
RECORDS = """
<inproceedings key="conf/x/A1"><author>Andr&eacute; Berton</author><author>Ada Lovelace 0002</author>
<title>On engines.</title><year>2021</year><booktitle>NeurIPS</booktitle></inproceedings>
<article key="journals/y/B1"><author>Grace Hopper</author><title>On compilers.</title><year>2020</year></article>
"""


@postgresql_only("the search columns are PostgreSQL-only")
class ImportSearchTextTests(TestCase):
    def setUp(self):
        tmp = TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = Path(tmp.name)

    def run_import(self, records: str, name: str = "dblp.xml") -> None:
        path = self.dir / name
        path.write_bytes((HEADER + records + "</dblp>\n").encode("iso-8859-1"))
        call_command("import_papers", str(path), stdout=StringIO(), stderr=StringIO())

    def search_text(self) -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SELECT dblp_key, search_authors, search_venue FROM papers_paper ORDER BY dblp_key")
            return {key: (authors, venue) for key, authors, venue in cursor.fetchall()}

    def test_new_papers_get_the_names_in_order_and_the_venue(self):
        self.run_import(RECORDS)

        self.assertEqual(
            self.search_text(),
            {"conf/x/A1": ("André Berton Ada Lovelace 0002", "NeurIPS"), "journals/y/B1": ("Grace Hopper", "")},
        )

    def test_the_import_leaves_no_entries_in_the_gin_pending_lists(self):
        # Searches read a GIN pending list in full until it is merged (papers.importing.stats).
        self.run_import(RECORDS)
        with connection.cursor() as cursor:
            for index in ("paper_search_vector_gin", "namecluster_search_name_trgm"):
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
                self.assertEqual(cursor.fetchone()[0], 0, index)

    def test_a_changed_author_list_gets_its_new_names(self):
        self.run_import(RECORDS)

        self.run_import(RECORDS.replace("<author>Grace Hopper</author>", "<author>Alan Turing</author>"), "v2.xml")

        self.assertEqual(self.search_text()["journals/y/B1"], ("Alan Turing", ""))


@postgresql_only("the search columns are PostgreSQL-only")
class SearchAuthorsWrittenFlagTests(TestCase):
    """papers.importing.papers.search_authors_written: the authorship trigger skips only inside the block."""

    def setUp(self):
        from tests.factories import make_author, make_paper

        self.paper = make_paper(title="On engines")
        self.author = make_author("Ada Lovelace")

    def search_authors(self) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_authors FROM papers_paper WHERE id = %s", [self.paper.pk])
            return cursor.fetchone()[0]

    def add_authorship(self, position: int) -> None:
        from papers.models import Authorship

        Authorship.objects.create(paper=self.paper, author=self.author, position=position, printed_name="Ada Lovelace")

    def test_inside_the_block_the_trigger_leaves_the_names_to_the_writer(self):
        from papers.importing.papers import search_authors_written

        with search_authors_written(("search_authors",)):
            self.add_authorship(1)

        self.assertEqual(self.search_authors(), "")

    def test_after_the_block_the_trigger_writes_the_names_again(self):
        from papers.importing.papers import search_authors_written

        with search_authors_written(("search_authors",)):
            pass
        self.add_authorship(1)

        self.assertEqual(self.search_authors(), "Ada Lovelace")

    def test_an_import_leaves_the_flag_off_for_later_writes_in_its_transaction(self):
        path = Path(self.enterContext(TemporaryDirectory())) / "dblp.xml"
        path.write_bytes((HEADER + RECORDS + "</dblp>\n").encode("iso-8859-1"))
        call_command("import_papers", str(path), stdout=StringIO(), stderr=StringIO())

        self.add_authorship(1)

        self.assertEqual(self.search_authors(), "Ada Lovelace")


@postgresql_only("partial indexes are planned on PostgreSQL")
class IdentifierIndexTests(TestCase):
    """The importer's identifier lookup can use the partial indexes of migration 0004 (at scale it
    must: a sequential scan per batch made a 1,000,000-paper import crawl)."""

    def test_each_identifier_arm_uses_its_partial_index(self):
        from papers.importing.matching import papers_with_identifiers
        from papers.models import IDENTIFIER_FIELDS

        wanted = {field: [f"{field}-1", f"{field}-2"] for field in IDENTIFIER_FIELDS}
        with connection.cursor() as cursor:
            # A test table is tiny: leave the planner only bitmap scans, which reach the partial
            # indexes only if it can prove their `<> ''` predicates from the query.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
        plan = papers_with_identifiers(wanted).explain()

        for field in IDENTIFIER_FIELDS:
            self.assertIn(f"paper_{field}_idx", plan)
