"""Benchmark: importing a synthetic dblp dump on PostgreSQL against a bare parse-plus-COPY floor.

    .venv/bin/python bench/import_dblp.py --papers 50000

Generates the corpus with bench/corpus.py (unless --corpus is given: the bytes of
shared/tools/gen_corpus.py, in linear time), recreates the database `arrow_bench_import`, then times,
each in its own process so peak RSS is its own (Django's system checks skipped: not import work):
  floor    lxml iterparse (same DTD and entity settings as ours) + COPY of papers, author names and
           authorships into three fresh unindexed tables; nothing else;
  import   `manage.py import_papers` into the migrated, empty Arrow schema;
  re-import the same command on the unchanged file (must be a fast no-op);
  schema   the rows the import wrote, COPYed back into a new migrated database the way a first load
           writes them, with no client work at all (bench/schema_floor.py; --no-schema-floor skips
           it): what the database alone spends on this schema in one transaction, a bound no
           importer can beat (it leaves out even the closing counts, which the rows carry already).
Each step starts on a quiet server (quiesce). Prints wall time, peak RSS and client CPU (with the
import's reader process: papers.importing.readers.process) of each and the import/floor ratio (goal: <= 3x,
< 400 MB), and the schema floor's.
With --repeat N, N rounds of the four steps, each on a new database: each step's fastest and median
time, and the median of the rounds' own import/floor and schema floor/floor ratios.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import schema_floor  # noqa: E402 (a sibling script, not a package)

GEN_CORPUS = ROOT / "bench" / "corpus.py"
SERVER = "postgres://postgres@127.0.0.1:5432"
SCHEMA_LABEL = "schema floor (the import's rows, no client work)"

FLOOR = r"""
import sys
from lxml import etree
import psycopg
from papers.importing.readers.dblp import DtdOnlyResolver, SHIPPED_DTD, RECORD_TAGS

path, url = sys.argv[1], sys.argv[2]
with psycopg.connect(url) as conn:
    conn.execute("CREATE TABLE floor_paper (key text, title text, year int, venue text)")
    conn.execute("CREATE TABLE floor_author (name text)")
    conn.execute("CREATE TABLE floor_authorship (paper_key text, author_name text, position int)")
    cur = conn.cursor()
    with cur.copy("COPY floor_paper FROM STDIN") as papers, open(path, "rb") as fh:
        authors, authorships = set(), []
        events = etree.iterparse(fh, events=("end",), tag=RECORD_TAGS, load_dtd=True, resolve_entities=True,
                                 no_network=True)
        events.resolvers.add(DtdOnlyResolver(SHIPPED_DTD))
        for _, elem in events:
            if elem.tag != "www":
                key = elem.get("key")
                title = "".join(elem.findtext("title") or "")
                year = elem.findtext("year")
                papers.write_row((key, title, int(year) if year else None,
                                  elem.findtext("booktitle") or elem.findtext("journal")))
                for position, author in enumerate(elem.iterfind("author"), 1):
                    authors.add(author.text)
                    authorships.append((key, author.text, position))
            elem.clear(keep_tail=True)
            while elem.getprevious() is not None:
                del elem.getparent()[0]
    with cur.copy("COPY floor_author FROM STDIN") as copy:
        for name in authors:
            copy.write_row((name,))
    with cur.copy("COPY floor_authorship FROM STDIN") as copy:
        for row in authorships:
            copy.write_row(row)
"""


def run(command: list[str], env: dict) -> tuple[float, float, float]:
    """Run a process; return (wall seconds, peak RSS in MB, CPU seconds) of that process alone.

    The CPU seconds (user + system, the Python side only) vary much less than wall time on a
    machine shared with other jobs; the database server's share is in the wall time only.
    """
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if status != 0:
        sys.exit(f"failed ({status}): {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def quiesce(url: str) -> None:
    """Start each step on a quiet server: a CHECKPOINT writes the last step's dirty pages, and
    autovacuum's workers, which a large import sets off on its new tables, are left to finish
    (up to a minute). Without this the step after an import paid for it: the floor measured
    right after an import took 2.4-2.6 s against 1.9 s."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        for _ in range(120):
            busy = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")
            if not busy.fetchone()[0]:
                break
            time.sleep(0.5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--corpus", type=Path, help="an existing dblp XML file (default: generate one)")
    parser.add_argument("--database", default="arrow_bench_import")
    parser.add_argument("--batch-size", default="2000")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of floor, import and re-import (default 1)")
    parser.add_argument("--no-schema-floor", action="store_true", help="skip the schema floor step")
    args = parser.parse_args()
    print(f"load average at start {os.getloadavg()[0]:.1f}")

    corpus = args.corpus
    if corpus is None:
        corpus = Path(f"/tmp/arrow-bench-dblp-{args.papers}.xml")
        if not corpus.exists():
            with open(corpus, "wb") as out:
                subprocess.run(
                    [sys.executable, GEN_CORPUS, "--format", "dblp", "--papers", str(args.papers)],
                    stdout=out,
                    check=True,
                )
    url = f"{SERVER}/{args.database}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SECRET_KEY": "bench-" + "x" * 50, "DJANGO_DEBUG": "0"}
    command = [
        sys.executable,
        "manage.py",
        "import_papers",
        str(corpus),
        "-v",
        "0",
        "--skip-checks",
        "--batch-size",
        args.batch_size,
    ]
    labels = (
        "floor (lxml parse + COPY into 3 unindexed tables)",
        "import_papers, empty database",
        "import_papers, same file again (no-op)",
    )
    rounds = []
    for number in range(1, args.repeat + 1):
        # Each round on a new database: the import is a first load every time.
        for statement in (f"DROP DATABASE IF EXISTS {args.database}", f"CREATE DATABASE {args.database}"):
            subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", statement], check=True)
        run([sys.executable, "manage.py", "migrate", "-v", "0", "--skip-checks"], env)
        quiesce(url)
        floor = run([sys.executable, "-c", FLOOR, str(corpus), url], {**env, "PYTHONPATH": str(ROOT)})
        quiesce(url)
        first = run(command, env)
        quiesce(url)
        again = run(command, env)
        schema = None
        if not args.no_schema_floor:
            quiesce(url)
            schema = schema_floor.measure(args.database, f"{args.database}_schema", show=False)
        rounds.append((floor, first, again, schema))
        if args.repeat > 1:
            print(
                f"round {number}: floor {floor[0]:.1f} s, import {first[0]:.1f} s ({first[0] / floor[0]:.2f}x), "
                f"no-op {again[0]:.1f} s" + ("" if schema is None else f", schema floor {schema:.1f} s"),
                flush=True,
            )

    print(f"corpus: {corpus} ({corpus.stat().st_size / 1e6:.1f} MB); load average {os.getloadavg()[0]:.1f}")
    if args.repeat == 1:
        for label, (seconds, rss, cpu) in zip(labels, rounds[0][:3], strict=True):
            print(f"{label:<51} {seconds:7.1f} s, peak RSS {rss:5.0f} MB, client CPU {cpu:6.1f} s")
        if rounds[0][3] is not None:
            print(f"{SCHEMA_LABEL:<51} {rounds[0][3]:7.1f} s")
        print(f"import / floor: {rounds[0][1][0] / rounds[0][0][0]:.2f}x (goal <= 3x)")
        if rounds[0][3] is not None:
            print(f"schema floor / floor: {rounds[0][3] / rounds[0][0][0]:.2f}x (no importer can do better)")
        return
    # Several rounds: this VM's wall times drift by 20-30 % within minutes, so each step is given by
    # its fastest and its median run, and the ratio by the median of each round's own ratio (a
    # floor and an import measured a minute apart share that minute's drift).
    for step, label in enumerate(labels):
        seconds = [r[step][0] for r in rounds]
        rss = max(r[step][1] for r in rounds)
        cpu = statistics.median(r[step][2] for r in rounds)
        print(
            f"{label:<51} fastest {min(seconds):5.1f} s, median {statistics.median(seconds):5.1f} s, "
            f"peak RSS {rss:4.0f} MB, client CPU {cpu:5.1f} s (median)"
        )
    ratios = [first[0] / floor[0] for floor, first, *_ in rounds]
    fastest = min(r[1][0] for r in rounds) / min(r[0][0] for r in rounds)
    print(
        f"import / floor: median {statistics.median(ratios):.2f}x of {len(ratios)} rounds "
        f"({min(ratios):.2f}x-{max(ratios):.2f}x), fastest against fastest {fastest:.2f}x (goal <= 3x)"
    )
    if not args.no_schema_floor:
        seconds = [r[3] for r in rounds]
        print(f"{SCHEMA_LABEL:<51} fastest {min(seconds):5.1f} s, median {statistics.median(seconds):5.1f} s")
        ratios = [schema / floor[0] for floor, _, _, schema in rounds]
        print(
            f"schema floor / floor: median {statistics.median(ratios):.2f}x ({min(ratios):.2f}x-{max(ratios):.2f}x): "
            "what no importer can do better than"
        )


if __name__ == "__main__":
    main()
