"""Benchmark: the import's own rows COPYed into Arrow's schema, with no client work (a floor for the
database's share of an import).

    .venv/bin/python bench/import_dblp.py --papers 50000      # leaves arrow_bench_import behind
    .venv/bin/python bench/schema_floor.py                     # copies its rows into arrow_bench_schema_floor

Dumps the rows an import wrote (`--source`, default arrow_bench_import) to files, recreates and
migrates `--database`, and loads them back table by table in one transaction the way a first load
writes (papers.importing.schema.first_load: foreign keys, the search-vector, newest-first and trigram
indexes and the authorship trigger dropped, then rebuilt), then ANALYZE. Each COPY streams its
file in 1 MB pieces, so the times are the server's: the generated search vector, the indexes, the
rebuild. Prints each step and the total. bench/import_dblp.py calls `measure` in each of its rounds.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"
# In the order an import writes them (parents first).
TABLES = ["authors_namecluster", "authors_author", "authors_authorkey", "papers_venue", "papers_paper",
          "papers_papersource", "papers_authorship"]  # fmt: skip

LOAD = r"""
import sys, time
import django
django.setup()
from django.db import connection, transaction
from papers.importing.schema import first_load
from papers.importing.stats import analyze_tables

directory, tables = sys.argv[1], sys.argv[2:]
started = time.monotonic()
with transaction.atomic():
    cursor = connection.cursor().cursor
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with first_load() as bulk:
        assert bulk, "the database must be empty and the role its owner"
        for table in tables:
            columns = open(f"{directory}/{table}.columns").read()
            step = time.monotonic()
            statement = f"COPY {table} ({columns}) FROM STDIN"
            with cursor.copy(statement) as copy, open(f"{directory}/{table}.tsv", "rb") as rows:
                while data := rows.read(1 << 20):
                    copy.write(data)
            print(f"COPY {table:<24} {time.monotonic() - step:6.2f} s")
        step = time.monotonic()
    print(f"{'rebuild (indexes, foreign keys, trigger)':<29} {time.monotonic() - step:6.2f} s")
    step = time.monotonic()
    analyze_tables()
    print(f"{'ANALYZE':<29} {time.monotonic() - step:6.2f} s")
print(f"{'total':<29} {time.monotonic() - started:6.2f} s")
"""


def psql(database: str, *args: str, capture: bool = False) -> str:
    command = ["psql", "-q", "-X", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-v", "ON_ERROR_STOP=1", *args]
    return subprocess.run(command, check=True, capture_output=capture, text=True).stdout


def measure(source: str, database: str, *, show: bool = True) -> float:
    """Copy the rows of `source` into a new migrated `database` as a first load writes them; return the
    load's seconds (the server's work, from the transaction's start to ANALYZE's end: no Python or
    Django startup). `show` prints each step's time."""
    with tempfile.TemporaryDirectory() as directory:
        for table in TABLES:
            # Generated columns cannot be written: the load computes them, as an import's COPY does.
            columns = psql(
                source,
                "-Atc",
                "SELECT string_agg(quote_ident(attname), ',' ORDER BY attnum) FROM pg_attribute"  # noqa: S608 (fixed names)
                f" WHERE attrelid = '{table}'::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
                capture=True,
            ).strip()
            Path(directory, f"{table}.columns").write_text(columns)
            dump = f"\\copy (SELECT {columns} FROM {table}) TO '{directory}/{table}.tsv'"  # noqa: S608 (fixed names)
            psql(source, "-c", dump)
        for sql in (f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}"):
            psql("postgres", "-c", sql)
        env = {
            **os.environ,
            "DATABASE_URL": f"{SERVER}/{database}",
            "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
            "DJANGO_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "arrow_site.settings",
            "PYTHONPATH": str(ROOT),
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0", "--skip-checks"], cwd=ROOT, env=env, check=True
        )
        # The database is new and all its pages written by the migration: a CHECKPOINT first, so the
        # load does not pay for them (as the import's benchmark starts each step on a quiet server).
        psql(database, "-c", "CHECKPOINT")
        load = subprocess.run(
            [sys.executable, "-c", LOAD, directory, *TABLES],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
    if show:
        print(load.stdout, end="")
    return float(load.stdout.splitlines()[-1].split()[-2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default="arrow_bench_import", help="a database an import has filled")
    parser.add_argument("--database", default="arrow_bench_schema_floor")
    args = parser.parse_args()
    measure(args.source, args.database)


if __name__ == "__main__":
    main()
