"""An import into an empty database drops foreign keys, search indexes and a trigger for the load
and leaves the schema exactly as the migrations made it (papers.importing.schema.first_load)."""

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase

from papers.importing.engine import import_file
from papers.importing.schema import (
    FIRST_LOAD_AUTHOR_INDEXES,
    FIRST_LOAD_INDEXES,
    FIRST_LOAD_LOOKUP_CONSTRAINTS,
    FIRST_LOAD_LOOKUP_INDEXES,
    first_load,
)
from papers.importing.stats import IMPORT_MODELS
from papers.models import Paper
from tests.conftest import ROOT, SHARED, child_database_url
from tests.factories import make_paper
from tests.gates import postgresql_only

RECORDS = """<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE dblp SYSTEM "dblp.dtd">
<dblp>
<inproceedings key="conf/x/A1"><author>Ada Lovelace</author><author>Grace Hopper</author>
<title>On engines.</title><year>2021</year><booktitle>NeurIPS</booktitle></inproceedings>
<article key="journals/y/B1"><author>Grace Hopper</author><title>On compilers.</title><year>2020</year>
<journal>CACM</journal></article>
</dblp>
"""


def schema() -> dict:
    """Every constraint, index and trigger definition of the public schema."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        constraints = cursor.fetchall()
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1")
        indexes = cursor.fetchall()
        cursor.execute("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1")
        triggers = cursor.fetchall()
    return {"constraints": constraints, "indexes": indexes, "triggers": triggers}


@postgresql_only("a PostgreSQL bulk load")
class FirstLoadTests(TestCase):
    def assert_import_keeps_the_schema(self):
        before = schema()
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "dblp.xml"
            path.write_bytes(RECORDS.encode("iso-8859-1"))
            call_command("import_papers", str(path), stdout=StringIO(), stderr=StringIO())
        self.assertEqual(Paper.objects.count(), 2)
        self.assertEqual(schema(), before)

    def test_a_first_load_leaves_the_migrated_schema_and_its_rows_checked(self):
        self.assert_import_keeps_the_schema()
        # The search index was rebuilt with the rows in it.
        self.assertEqual(
            list(Paper.objects.search_candidates("compilers"))[0][0], Paper.objects.get(dblp_key="journals/y/B1").pk
        )

    def test_inside_a_first_load_the_checks_are_gone_and_come_back(self):
        dropped = {
            *FIRST_LOAD_INDEXES,
            *FIRST_LOAD_AUTHOR_INDEXES,
            *FIRST_LOAD_LOOKUP_INDEXES,
            *FIRST_LOAD_LOOKUP_CONSTRAINTS,
        }
        # Every name is one the migrations made (a misspelt one would be dropped by no one).
        self.assertLessEqual(dropped, {name for name, _ in schema()["indexes"]})
        with first_load() as bulk:
            self.assertTrue(bulk)
            during = schema()
            self.assertEqual([name for name, _ in during["indexes"] if name in dropped], [])
            bulk.restore_lookups()
            restored = {*FIRST_LOAD_LOOKUP_INDEXES, *FIRST_LOAD_LOOKUP_CONSTRAINTS}
            self.assertEqual({name for name, _ in schema()["indexes"] if name in dropped}, restored)
            bulk.restore_lookups()  # once only
            bulk.restore_author_indexes()
            restored |= set(FIRST_LOAD_AUTHOR_INDEXES)
            self.assertEqual({name for name, _ in schema()["indexes"] if name in dropped}, restored)
            bulk.restore_author_indexes()  # once only
            loaded = {model._meta.db_table for model in IMPORT_MODELS}
            foreign_keys = [c for c in during["constraints"] if c[0] in loaded and c[2].startswith("FOREIGN KEY")]
            self.assertEqual(foreign_keys, [])
        self.assertTrue(any(name == "paper_search_vector_gin" for name, _ in schema()["indexes"]))

    def lookup_indexes_after_each_batch(self, lines: list[dict]) -> list[bool]:
        """Import these JSON Lines records one a batch; whether the lookup indexes were there after each."""
        present = []

        def after_batch(summary):
            names = {name for name, _ in schema()["indexes"]}
            restored = {*FIRST_LOAD_LOOKUP_INDEXES, *FIRST_LOAD_LOOKUP_CONSTRAINTS} <= names
            self.assertTrue(restored or names.isdisjoint(FIRST_LOAD_LOOKUP_INDEXES))
            present.append(restored)

        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "papers.jsonl"
            path.write_text("".join(json.dumps(line) + "\n" for line in lines))
            import_file(path, batch_size=1, on_batch=after_batch)
        return present

    def test_a_first_load_builds_its_lookup_indexes_when_a_lookup_first_needs_them(self):
        def paper(source, source_id, title, **extra):
            authors = [{"name": "Ada Lovelace"}]
            return {"source": source, "source_id": source_id, "title": title, "year": 2020, "authors": authors, **extra}

        # Appending papers of one source reads none of them; a record seen again (its paper and
        # author list rewritten) and a second source's record (matched) do.
        self.assertEqual(
            self.lookup_indexes_after_each_batch(
                [paper("a", "1", "One"), paper("a", "2", "Two"), paper("a", "1", "One, revised"), paper("a", "3", "x")]
            ),
            [False, False, True, True],
        )
        Paper.objects.all().delete()
        self.assertEqual(
            self.lookup_indexes_after_each_batch(
                [paper("a", "1", "One", doi="10.1/1"), paper("a", "2", "Two"), paper("b", "x", "One", doi="10.1/1")]
            ),
            [False, False, True],
        )
        self.assertEqual(Paper.objects.count(), 2)  # matched on its DOI

    def test_a_database_with_papers_keeps_its_checks(self):
        make_paper(title="Already here")
        before = schema()
        with first_load() as bulk:
            self.assertFalse(bulk)
            self.assertEqual(schema(), before)

    def test_a_role_that_does_not_own_the_tables_imports_with_every_check(self):
        # docs/deployment.md allows an import role with write grants only: it cannot drop
        # constraints nor merge GIN pending lists, and the import must work without either.
        with connection.cursor() as cursor:
            cursor.execute("CREATE ROLE arrow_test_importer")
            cursor.execute("GRANT USAGE ON SCHEMA public TO arrow_test_importer")
            cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO arrow_test_importer")
            cursor.execute("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO arrow_test_importer")
            cursor.execute("SET ROLE arrow_test_importer")
        try:
            self.assert_import_keeps_the_schema()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")

    def test_an_author_list_replaced_during_a_first_load_is_searchable(self):
        # A record seen again in a later batch with other content replaces its paper's author list;
        # with the authorship trigger dropped, the importer must write those names itself.
        first = json.loads((ROOT / "sample_data" / "keivan-rezaei.jsonl").read_text().splitlines()[0])
        again = {**first, "title": first["title"] + " (revised)", "authors": first["authors"][1:]}
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "papers.jsonl"
            path.write_text(json.dumps(first) + "\n" + json.dumps(again) + "\n")
            call_command("import_papers", str(path), "--batch-size", "1", stdout=StringIO(), stderr=StringIO())
        paper = Paper.objects.get()
        self.assertTrue(paper.title.endswith("(revised)"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_authors FROM papers_paper WHERE id = %s", [paper.pk])
            names = cursor.fetchone()[0]
        self.assertIn("Samyadeep Basu", names)
        self.assertNotIn("Arman Zarei", names)  # the first author list's, replaced
        self.assertEqual([pk for pk, _ in Paper.objects.search_candidates("Basu")], [paper.pk])
        self.assertEqual(Paper.objects.search_candidates("Zarei"), [])


@postgresql_only("a PostgreSQL bulk load")
class ConcurrentFirstLoadTests(TransactionTestCase):
    def test_two_imports_started_together_on_an_empty_database_both_finish(self):
        # Both would read papers_paper, then both wait to lock it exclusively: first_load decides
        # under an advisory lock so the second waits for the first instead of deadlocking.
        excerpt = SHARED / "data" / "real" / "dblp" / "shenka123_dblp_excerpt.xml"
        env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "DATABASE_URL": child_database_url()}
        for attempt in range(8):
            Paper.objects.all().delete()
            command = [sys.executable, "manage.py", "import_papers", str(excerpt), "-v", "0"]
            runs = [
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)
            ]
            for run in runs:
                _, err = run.communicate(timeout=120)
                self.assertEqual(run.returncode, 0, f"attempt {attempt}: {err}")
            self.assertTrue(Paper.objects.exists())
