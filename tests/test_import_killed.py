"""A killed import leaves the database exactly as it was, and running it again succeeds."""

import hashlib
import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase

from tests.conftest import ROOT, SHARED, child_database_url, reader_processes
from tests.gates import postgresql_only
from tests.test_import_first_load import schema

GEN_CORPUS = SHARED / "tools" / "gen_corpus.py"
TABLES = ["papers_paper", "papers_papersource", "papers_authorship", "papers_venue", "authors_author",
          "authors_authorkey", "authors_namecluster", "papers_importrun"]  # fmt: skip


def snapshot() -> dict:
    """Row count and a checksum of every row of the import's tables."""
    state = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 (fixed table names)
            rows = [repr(row) for row in cursor.fetchall()]
            state[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


class KilledImportTests(TransactionTestCase):
    def test_a_killed_import_leaves_nothing_and_a_rerun_succeeds(self):
        tmp = Path(self.enterContext(TemporaryDirectory()))
        corpus = tmp / "dblp.xml"
        with open(corpus, "wb") as out:
            subprocess.run([sys.executable, GEN_CORPUS, "--format", "dblp", "--papers", "6000"], stdout=out, check=True)
        call_command("import_papers", str(SHARED / "data" / "real" / "dblp" / "shenka123_dblp_excerpt.xml"),
                     stdout=StringIO())  # fmt: skip
        before = snapshot()
        self.kill_an_import_of(corpus)
        self.assertEqual(snapshot(), before)

        output = StringIO()
        call_command("import_papers", str(corpus), stdout=output)
        self.assertIn("6000 created, 0 updated, 0 unchanged, 0 refused", output.getvalue())

    @postgresql_only("a first load drops checks on PostgreSQL only")
    def test_a_first_load_killed_leaves_the_empty_database_and_its_schema(self):
        # Into an empty database the import drops foreign keys and indexes inside its transaction
        # (papers.importing.schema.first_load): the kill must take those statements back too.
        tmp = Path(self.enterContext(TemporaryDirectory()))
        corpus = tmp / "dblp.xml"
        with open(corpus, "wb") as out:
            subprocess.run([sys.executable, GEN_CORPUS, "--format", "dblp", "--papers", "6000"], stdout=out, check=True)
        before, schema_before = snapshot(), schema()
        self.kill_an_import_of(corpus)
        self.assertEqual(snapshot(), before)
        self.assertEqual(schema(), schema_before)

    def kill_an_import_of(self, corpus: Path) -> None:
        # On SQLite the test database is a file the child opens too; its journal undoes the kill.
        env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "DATABASE_URL": child_database_url()}
        command = [sys.executable, "manage.py", "import_papers", str(corpus), "--batch-size", "500", "-v", "2"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        # Kill it once it has written two batches (inside its transaction), long before the end.
        first, second = process.stdout.readline(), process.stdout.readline()
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        self.assertIn("records written", first + second)
        self.assertEqual(process.returncode, -signal.SIGKILL)
        time.sleep(0.5)  # the server notices the closed connection and rolls back

    def test_ctrl_c_stops_the_import_and_its_reader_process_and_says_so(self):
        # The 6,000-paper file (2.7 MB) is read by a second process (papers.importing.readers.process):
        # Ctrl-C reaches both, and the import must end at once, leaving nothing and no process.
        tmp = Path(self.enterContext(TemporaryDirectory()))
        corpus = tmp / "dblp.xml"
        with open(corpus, "wb") as out:
            subprocess.run([sys.executable, GEN_CORPUS, "--format", "dblp", "--papers", "6000"], stdout=out, check=True)
        before = snapshot()
        env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "DATABASE_URL": child_database_url()}
        command = [sys.executable, "manage.py", "import_papers", str(corpus), "--batch-size", "500", "-v", "2"]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a process group of its own, as a terminal's foreground job
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.assertIn("records written", process.stdout.readline())
        os.killpg(process.pid, signal.SIGINT)
        _, errors = process.communicate(timeout=30)

        self.assertEqual(process.returncode, 130)
        self.assertIn("interrupted; nothing was imported from this file", errors)
        self.assertNotIn("Traceback", errors)
        time.sleep(0.5)
        self.assertEqual(reader_processes(reading=corpus), [])  # the reader process is gone too
        self.assertEqual(snapshot(), before)
