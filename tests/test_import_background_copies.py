"""A first load writes each batch's new papers, sources and authorships from a second thread
(papers.importing.writer.BackgroundCopies) while the importer prepares the next batch: the same rows
as an import that writes them in turn (one by a role that may not change the schema, so no first
load), in every case where a later batch depends on an earlier one's rows, and a COPY that fails
there fails the import with its own error and leaves nothing."""

import json
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import TestCase

from authors.models import Author, AuthorKey, NameCluster
from papers.importing import writer
from papers.importing.engine import import_file
from papers.models import Authorship, Paper, PaperSource, Venue
from tests.conftest import SHARED
from tests.gates import postgresql_only

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
# a second source that starts matching halfway, then matches a paper of the batch just before
# (still held, with nothing else letting it out).
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
    record("8", "Programming Pearls", authors=("Jon Bentley",)),
    record("9", "The Art of Computer Programming", authors=("Donald Knuth",)),
    {**record("x8", "Programming Pearls", authors=("Jon Bentley",)), "source": "other"},
]


def sent_on_the_thread(submitted) -> bool:
    """Whether BackgroundCopies.submit (mocked with autospec) was given any COPY to run."""
    return any(call.args[1] for call in submitted.call_args_list)


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


@contextmanager
def importing_in_turn(background: bool):
    """Without `background`, as a role granted writes only (docs/deployment.md): the import then
    keeps every check and writes each batch's rows in turn, as any import but a first load does."""
    if background:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE arrow_test_in_turn")
        cursor.execute("GRANT USAGE ON SCHEMA public TO arrow_test_in_turn")
        cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO arrow_test_in_turn")
        cursor.execute("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO arrow_test_in_turn")
        cursor.execute("SET ROLE arrow_test_in_turn")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@postgresql_only("a PostgreSQL first load")
class BackgroundCopiesTests(TestCase):
    def import_both_ways(self, path: Path, batch_size: int):
        results = []
        for background in (False, True):
            with (
                importing_in_turn(background),
                # Provenance and authorship ids in blocks of four: a new block taken mid-batch,
                # while the second thread writes (writer.Writes.take_ids).
                mock.patch.object(writer, "ID_BLOCK", 4),
                mock.patch.object(
                    writer.BackgroundCopies, "submit", autospec=True, side_effect=writer.BackgroundCopies.submit
                ) as submitted,
            ):
                summary = import_file(path, batch_size=batch_size)
            results.append((sent_on_the_thread(submitted), summary.as_dict(), contents()))
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
        # Matched by title, year and first author (paper 1 gets its DOI in the same batch, after
        # matching), and x8 to paper 8 of the batch before: one paper with two sources each.
        self.assertEqual(by_id["x1"][1:], by_id["1"][1:])
        self.assertEqual(by_id["x8"][1:], by_id["8"][1:])
        self.assertEqual((len(papers), paper_count), (11, 9))

    def test_a_real_dblp_file_in_small_batches_writes_the_same_rows_both_ways(self):
        papers, _, authorships, *_ = self.import_both_ways(DBLP, batch_size=7)
        self.assertGreater(len(papers), 100)
        self.assertGreater(len(authorships), len(papers))

    def assert_fails_with_the_copys_own_error(self, lines: list[str]):
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
            path.write_text("".join(line + "\n" for line in lines))
            with (
                mock.patch.object(
                    writer.BackgroundCopies, "submit", autospec=True, side_effect=writer.BackgroundCopies.submit
                ) as submitted,
                self.assertRaisesMessage(DatabaseError, "test refuses Go To Statement Considered Harmful"),
            ):
                import_file(path, batch_size=3)
        self.assertTrue(sent_on_the_thread(submitted))
        self.assertEqual(Paper.objects.count(), 0)
        self.assertEqual(Author.objects.count(), 0)
        # The connection is usable again and nothing runs on it from the other thread.
        call_command("import_papers", str(DBLP), stdout=StringIO())
        self.assertGreater(Paper.objects.count(), 100)

    def test_a_copy_failing_on_the_second_thread_fails_the_import_with_its_own_error(self):
        self.assert_fails_with_the_copys_own_error([json.dumps(r) for r in RECORDS])

    def test_a_copy_failing_before_a_bad_record_is_reported_as_itself(self):
        # The bad record stops the writes (no finish()); the COPY sent before it had failed.
        go_to = next(r for r in RECORDS if r["title"].startswith("Go To"))
        lines = [json.dumps(r) for r in [go_to, *RECORDS[:5]]]
        self.assertEqual(len(lines), 6)
        self.assert_fails_with_the_copys_own_error([*lines, "{not json"])
