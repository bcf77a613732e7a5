"""Search latency on PostgreSQL: median and 95th percentile of the whole /search/ page, and its plans.

    python bench/search.py --papers 50000 --prepare      # once: create arrow_bench_search_50000, import
    python bench/search.py --papers 50000                # measure: prints Markdown for docs/benchmarks.md
    python bench/search.py --papers 1000000 --prepare    # the same at 1,000,000 papers (long import)

The database holds shared/tools/gen_corpus.py's synthetic corpus (through bench/corpus.py) plus the
sample file. Each query is requested `--repeat` times through Django's test client in this process
(view, SQL and template; no network, no page cache), after one warm-up request; the plans are
`EXPLAIN (ANALYZE, BUFFERS)` of the page's paper and count queries as Django sends them, and the
script fails if any plan reads the papers table with a sequential scan.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERIES = [
    ("broad word", "learning"),
    ("broad word", "model"),
    ("two broad words", "graph neural"),
    ("phrase", '"diffusion transformer"'),
    ("exclusion", "bandit -regret"),
    ("or", "auction or privacy"),
    ("rare word", "unlearning localization interpretability"),
    ("no match", "zebrafish"),
    ("name", "Keivan Rezaei"),
    ("name without accents", "Sebastien Lahaie"),
    ("name with a typo", "Keivan Rezai"),
    ("common family name", "wang"),
    ("sample title words", "localizing knowledge"),
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def setup_django(database_url: str) -> None:
    os.environ.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="arrow_site.settings",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench-only-" + "x" * 40),
        DJANGO_DEBUG="0",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_PAGE_CACHE_SECONDS="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client then records each response's template context

    # The test client speaks plain http to "testserver"; the page cache is off (above).
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def measure(repeat: int) -> list[tuple]:
    """Per query: wall-clock p50 and p95 of the whole page, and the medians of the time spent in
    SQL (as the client waits for it) and of this process's CPU time (view and template): on a busy
    machine the wall clock includes waiting for a core, the CPU time does not."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    rows = []
    for label, q in QUERIES:
        assert client.get("/search/", {"q": q}).status_code == 200, q
        timings, sql, cpu = [], [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get("/search/", {"q": q})
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
        count = response.context["page_obj"].paginator.count if response.context.get("page_obj") else 0
        row = (
            label,
            q,
            statistics.median(timings),
            percentile(timings, 0.95),
            statistics.median(sql),
            statistics.median(cpu),
            count,
        )
        rows.append(row)
        print(f"{q!r}: p50 {row[2]:.1f} ms, p95 {row[3]:.1f} ms, sql {row[4]:.1f}, cpu {row[5]:.1f}", file=sys.stderr)
    return rows


def plans(q: str) -> list[tuple[str, str]]:
    """EXPLAIN ANALYZE of every query the search page sends for `q`, captured as Django sends them."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        Client().get("/search/", {"q": q})
    out = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if "papers_paper" not in sql and "authors_namecluster" not in sql:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
            out.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return out


def shorten_ids(text: str) -> str:
    """The thousand candidate ids of a plan, as one mark: the plans are for reading."""
    return ID_LIST_RE.sub(lambda m: f"{m[1]}…{m[0].count(',') + 1} ids…{m[2]}", text)


ID_LIST_RE = re.compile(r"([({])\d+(?:, ?\d+){20,}([)}])")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="default: postgres://postgres@127.0.0.1:5432/arrow_bench_search_N")
    parser.add_argument("--prepare", action="store_true", help="(re)create the database and import the corpus")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plans", default="learning", help="query whose plans are printed")
    args = parser.parse_args()
    database_url = args.database_url or f"postgres://postgres@127.0.0.1:5432/arrow_bench_search_{args.papers}"
    if args.prepare:
        from databases import prepare_postgres

        prepare_postgres(database_url, args.papers, args.seed)
    setup_django(database_url)
    from django.db import connection

    from papers.models import Paper

    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        (shared_buffers,) = cursor.fetchone()
    rows = measure(args.repeat)
    print(
        f"\n{Paper.objects.count():,} papers; {args.repeat} requests per query after a warm-up; load average "
        f"{os.getloadavg()[0]:.1f}; PostgreSQL shared_buffers {shared_buffers}\n"
    )
    print("| query | q | papers found | p50 ms | p95 ms | SQL ms (p50) | CPU ms (p50) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for label, q, p50, p95, sql, cpu, count in rows:
        print(f"| {label} | `{q}` | {count:,} | {p50:.1f} | {p95:.1f} | {sql:.1f} | {cpu:.1f} |")
    every = [t for r in rows for t in (r[2], r[3])]
    print(f"| all | | | {statistics.median(r[2] for r in rows):.1f} | {max(every):.1f} (worst) | | |")
    seq_scans = []
    for q in dict.fromkeys([args.plans, *(q for _, q in QUERIES)]):
        for sql, plan in plans(q):
            if "Seq Scan on papers_paper" in plan:
                seq_scans.append((q, sql, plan))
            if q == args.plans:
                print(f"\n```\n{shorten_ids(sql)}\n\n{shorten_ids(plan)}\n```")
    if seq_scans:
        for q, sql, plan in seq_scans:
            print(f"\nSEQUENTIAL SCAN for {q!r}:\n{sql}\n{plan}", file=sys.stderr)
        raise SystemExit(1)
    print("\nNo plan of any query above reads papers_paper with a sequential scan.")


if __name__ == "__main__":
    main()
