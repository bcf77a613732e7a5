"""A first load writes each batch's new papers, sources and authorships from a second thread
(papers.bulk.BackgroundCopies) while the importer prepares the next batch: the same rows as
writing them in turn, in every case where a later batch depends on an earlier one's rows, and a
COPY that fails there fails the import with its own error and leaves nothing."""

import json
import os
import unittest
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import TestCase

from authors.models import Author, AuthorKey, NameCluster
from papers import bulk, services
from papers.models import Authorship, Paper, PaperSource, Venue
from papers.services import import_file
from tests.conftest import SHARED

DBLP = SHARED / "data" / "real" / "dblp" / "xcurator_dblp_sample_2013.xml"


def record(source_id: str, title: str, *, venue: dict | None = None, authors=("Ada Lovelace",), **extra) -> dict:
    return {
        "source": "test",
        "source_id": source_id,
        "type": "journal-article",
        "title": title,
        "year": 2020,
        "venue": venue or {"name": "JACM"},
        "authors": [{"name": name} for name in authors],
        **extra,
    }


# Every dependency of a batch on the ones before it, in a file read three records a batch:
# a key seen again in the next batch (changed, so that batch's writes land first), a venue whose
# full name comes while papers of it are still held (its trigger rewrites the search text of the
# papers already written, so they must land first), an author first seen in a batch before, and
# a second source that starts matching halfway.
RECORDS = [
    record("1", "Notes on the Analytical Engine", authors=("Ada Lovelace", "Charles Babbage")),
    record("2", "On Computable Numbers", venue={"name": "PLMS"}, authors=("Alan Turing",)),
    record("3", "A Mathematical Theory of Communication", authors=("Claude Shannon",)),
    record("3", "A Mathematical Theory of Communication, revised", authors=("Claude Shannon", "Warren Weaver")),
    record("5", "The Education of a Computer", authors=("Grace Hopper", "Alan Turing")),
    record("7", "Systems of Logic Based on Ordinals", venue={"name": "PLMS"}, authors=("Alan Turing",)),
    record("4", "Computing Machinery and Intelligence", venue={"name": "PLMS", "full_name": "Proc. London Math. Soc."}),
    record("1", "Notes on the Analytical Engine", authors=("Ada Lovelace", "Charles Babbage"), doi="10.1/ae"),
    {**record("x1", "Notes on the Analytical Engine", doi="10.1/ae"), "source": "other"},
    record("6", "Go To Statement Considered Harmful", authors=("Edsger Dijkstra",)),
]


def contents():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT source_id, title, year, doi, search_venue, search_authors, search_vector::text"
            " FROM papers_paper p JOIN papers_papersource s ON s.paper_id = p.id ORDER BY source, source_id"
        )
        papers = cursor.fetchall()
    return (
        papers,
        Paper.objects.count(),
        sorted(Authorship.objects.values_list("paper__title", "position", "printed_name", "author__name")),
        sorted(PaperSource.objects.values_list("source", "source_id", "content_hash", "paper__title")),
        sorted(Author.objects.values_list("name", "homonym_number", "orcid", "paper_count", "cluster__key")),
        sorted(AuthorKey.objects.values_list("source", "key", "author__name")),
        sorted(NameCluster.objects.values_list("key", "paper_count", "author_count")),
        sorted(Venue.objects.values_list("short_name", "full_name")),
    )


@unittest.skipUnless(os.getenv("DATABASE_URL", "").startswith("postgres"), "a PostgreSQL first load")
class BackgroundCopiesTests(TestCase):
    def import_both_ways(self, path: Path, batch_size: int):
        results = []
        for background in (False, True):
            with (
                mock.patch.object(services, "BACKGROUND_COPIES", background),
                mock.patch.object(
                    bulk.BackgroundCopies, "submit", autospec=True, side_effect=bulk.BackgroundCopies.submit
                ) as submitted,
            ):
                summary = import_file(path, batch_size=batch_size)
            results.append((submitted.called, summary.as_dict(), contents()))
            Paper.objects.all().delete()
            Author.objects.all().delete()
            NameCluster.objects.all().delete()
            Venue.objects.all().delete()
        (used_before, summary_before, before), (used_after, summary_after, after) = results
        self.assertEqual((used_before, used_after), (False, True))
        self.assertEqual(summary_after, summary_before)
        for table_before, table_after in zip(before, after, strict=True):
            self.assertEqual(table_after, table_before)
        return before

    def test_a_file_whose_batches_depend_on_each_other_writes_the_same_rows_both_ways(self):
        with TemporaryDirectory() as directory:
            path = Path(directory) / "works.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
            papers, paper_count, *_ = self.import_both_ways(path, batch_size=3)
        by_id = {row[0]: row for row in papers}
        self.assertEqual(by_id["3"][1], "A Mathematical Theory of Communication, revised")
        # Written before the full name came: 2 had landed, 7 was still held.
        self.assertEqual(by_id["2"][4], "PLMS Proc. London Math. Soc.")
        self.assertEqual(by_id["7"][4], "PLMS Proc. London Math. Soc.")
        # Matched to paper 1 by its DOI: one paper with two sources.
        self.assertEqual(by_id["x1"][1:], by_id["1"][1:])
        self.assertEqual((len(papers), paper_count), (8, 7))

    def test_a_real_dblp_file_in_small_batches_writes_the_same_rows_both_ways(self):
        papers, _, authorships, *_ = self.import_both_ways(DBLP, batch_size=7)
        self.assertGreater(len(papers), 100)
        self.assertGreater(len(authorships), len(papers))

    def test_a_copy_failing_on_the_second_thread_fails_the_import_with_its_own_error(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE FUNCTION test_refuse_paper() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN RAISE EXCEPTION 'test refuses %', NEW.title; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse BEFORE INSERT ON papers_paper FOR EACH ROW"
                " WHEN (NEW.title LIKE 'Go To%') EXECUTE FUNCTION test_refuse_paper()"
            )
        with TemporaryDirectory() as directory:
            path = Path(directory) / "works.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
            with (
                mock.patch.object(
                    bulk.BackgroundCopies, "submit", autospec=True, side_effect=bulk.BackgroundCopies.submit
                ) as submitted,
                self.assertRaisesMessage(DatabaseError, "test refuses Go To Statement Considered Harmful"),
            ):
                import_file(path, batch_size=3)
        self.assertTrue(submitted.called)
        self.assertEqual(Paper.objects.count(), 0)
        self.assertEqual(Author.objects.count(), 0)
        # The connection is usable again and nothing runs on it from the other thread.
        call_command("import_papers", str(DBLP), stdout=StringIO())
        self.assertGreater(Paper.objects.count(), 100)
