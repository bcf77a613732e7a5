"""The importer writes papers' search text itself (PostgreSQL): what migration 0002's triggers would write."""

import os
import unittest
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.db import connection
from django.test import TestCase

HEADER = '<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>\n'
RECORDS = """
<inproceedings key="conf/x/A1"><author>Andr&eacute; Berton</author><author>Ada Lovelace 0002</author>
<title>On engines.</title><year>2021</year><booktitle>NeurIPS</booktitle></inproceedings>
<article key="journals/y/B1"><author>Grace Hopper</author><title>On compilers.</title><year>2020</year></article>
"""


@unittest.skipUnless(os.getenv("DATABASE_URL", "").startswith("postgres"), "the search columns are PostgreSQL-only")
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

    def test_a_changed_author_list_is_rewritten_by_the_triggers(self):
        self.run_import(RECORDS)

        self.run_import(RECORDS.replace("<author>Grace Hopper</author>", "<author>Alan Turing</author>"), "v2.xml")

        self.assertEqual(self.search_text()["journals/y/B1"], ("Alan Turing", ""))
