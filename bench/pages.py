"""Page throughput as issue 23 measures it: 100 different pages of each kind against the admin login page.

    .venv/bin/python bench/pages.py --prepare    # (re)create arrow_bench_pages50k, import 50,000 papers, measure
    .venv/bin/python bench/pages.py              # measure again: a Markdown table for docs/benchmarks.md
    .venv/bin/python bench/pages.py --sqlite     # SQLite: our filtered list against datasette's, and search
    .venv/bin/python bench/pages.py --million --database-url postgres://postgres@127.0.0.1:5432/arrow_bench_pages1m
                                                 # one process, one connection: p50/p95/p99 per page kind
                                                 # (--prepare --papers 1000000 builds that database first)

Corpus: bench/corpus.py --format dblp --papers N --seed S (shared/tools/gen_corpus.py's bytes, dblp XML
as the issue measured; cached in bench/out/) plus sample_data/keivan-rezaei.jsonl, imported with
`manage.py import_papers`, then VACUUM (ANALYZE) on PostgreSQL (as autovacuum soon would), ANALYZE on SQLite.

Server: gunicorn with our gunicorn.conf.py (sync workers; 2 of them, WEB_CONCURRENCY=2 as the issue
measured), DEBUG off, no page cache (DJANGO_PAGE_CACHE_SECONDS=0), DB_POOL=1 with DB_CONN_MAX_AGE=0 as
docs/deployment.md has it for production, plain http on 127.0.0.1.

Pages: each kind is a list of different URLs picked from the database deterministically (`login`, the
baseline that runs no query, is one URL), walked round-robin by wrk through a generated Lua script
(bench/out/wrk-*.lua), so neither a page cache nor a warm fragment cache can stand in for rendering.
Every URL is fetched once before its kind is timed: it must answer 200 without a redirect and (ours)
link a paper and an author, or it is reported and left out. login is measured before every kind and
after the last; a kind's baseline is the mean of the two login runs around it, and its "times slower" is
that baseline's requests/s over its own (goals:
list and search <= 2.5, cluster <= 3). The Lua script's done() prints the requests, non-2xx answers
and p50/p95/p99 latency (wrk's, corrected for coordinated omission: one stall adds many synthetic slow
samples).

--million: one gunicorn worker, one request at a time, each timed in Python from connect to last byte,
so its p50/p95/p99 are those of the requests themselves (goal: p95 under 50 ms for every kind).

--sqlite builds bench/out/arrow_pages50k.sqlite3 (same corpus; `migrate` and `import_papers` with
DATABASE_URL=sqlite:////abs/path) and serves it, one process each and one after the other, with our
gunicorn (1 sync worker) and with `datasette serve` (read-only unless --datasette-immutable; datasette is
installed in its own virtualenv, bench/out/datasette-venv, never in the project's): our
/papers/?year=Y&venue=V against datasette's /DB/papers_paper?year=Y&venue_id=ID over the same 100
year+venue pairs (goal: ours >= 1.5x datasette), both at datasette's default of 100 rows a page and with
&_size= as many rows as our page shows papers; and our /search/?q=W1+W2 over 100 word pairs.

Only 127.0.0.1 is ever contacted; each load run lasts --duration seconds.
"""

import argparse
import os
import shutil

import psycopg
from databases import SERVER, prepare_postgres, size_label
from locations import GUNICORN
from page_fetch import resolve_papers
from page_load import WRK_NOTE, Result, measure_kind
from page_picks import KINDS, pick_pages
from page_reports import kb, ms, print_failures, print_header, recycling, size_column
from pages_sqlite import measure_sqlite
from servers import collectstatic, gunicorn_env, running

# Issue 23's goals: at most this many times slower than the login page.
GOALS = {"cluster": 3.0, "list": 2.5, "search": 2.5}
MILLION_P95_GOAL_MS = 50


def report_postgres(results: list[Result], busiest_cluster: tuple[str, int | None]) -> None:
    """`results` alternate: login, a kind, login, a kind, ..., login. Each kind is compared with the
    mean of the two login runs on either side of it, so a machine that drifts during the run (a
    shared VM) moves both alike."""
    logins = [result.rps for result in results if result.kind == "login"]
    print(
        f"login page: {', '.join(f'{rps:.1f}' for rps in logins)} requests/s (before each kind and after the last); "
        "each kind's baseline is the mean of the login runs on either side of it\n"
    )
    print(
        "| kind | pages | HTML median (max) | requests/s | p50 | p95 | p99 | non-2xx | login around it "
        "| times slower than login | goal | met |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for i, result in enumerate(results):
        if result.kind == "login":
            continue
        baseline = (results[i - 1].rps + results[i + 1].rps) / 2
        slower = baseline / result.rps if result.requests else float("inf")
        goal = GOALS.get(result.kind)
        met = "" if goal is None else ("yes" if slower <= goal else "no")
        print(
            f"| {result.kind} | {result.pages} | {size_column(result)} | {result.rps:.1f} | {ms(result.p50)} | "
            f"{ms(result.p95)} | {ms(result.p99)} | {result.non2xx} | {baseline:.1f} | {slower:.2f}x | "
            f"{f'<= {goal:g}x' if goal else ''} | {met} |"
        )
    path, size = busiest_cluster
    if size is None:
        print(f"\nBusiest cluster's first page `{path}`: not measured (did not pass the check).")
    else:
        print(f"\nBusiest cluster's first page `{path}`: {size:,} bytes ({kb(size)}; goal: under 200 KB).")
    if any(result.socket_errors for result in results):
        print("Socket errors: " + ", ".join(f"{r.kind} {r.socket_errors}" for r in results if r.socket_errors))
    print_failures(results)


# -- Modes ----------------------------------------------------------------------------------------------


def measure_postgres(args) -> None:
    """Issue 23's table: 2 workers, every kind against the login page measured before and after it."""
    with psycopg.connect(args.database_url) as conn:
        pages = pick_pages(conn)
    collectstatic(args.database_url)
    env = gunicorn_env(args.database_url, args.port, args.workers, args.max_requests)
    parallel = args.workers
    with running([str(GUNICORN), "arrow_site.wsgi"], env, args.port, "/admin/login/", "gunicorn-pages.log") as base:
        pages["paper"] = resolve_papers(base, pages["paper"], parallel)
        options = {"threads": 2, "connections": args.connections, "parallel": parallel}
        results = [measure_kind(base, "login", ["/admin/login/"], args, **options)]
        for kind in args.kinds:
            results.append(measure_kind(base, kind, pages[kind], args, **options))
            results.append(measure_kind(base, "login", ["/admin/login/"], args, **options))
    print_header(
        args,
        f"gunicorn (gunicorn.conf.py) with WEB_CONCURRENCY={args.workers}, DB_POOL=1, DEBUG off, no page cache"
        f"{recycling(args)}; database `{args.database_url.rsplit('/', 1)[1]}`; wrk -t2 -c{args.connections} "
        f"-d{args.duration}s per kind, each kind's pages walked round-robin (bench/out/wrk-KIND.lua). {WRK_NOTE}",
    )
    busiest = pages["cluster"][0]
    sizes = {path: size for result in results if result.kind == "cluster" for path, size in result.sizes.items()}
    report_postgres(results, (busiest, sizes.get(busiest)))


def measure_million(args) -> None:
    """One process, one connection: each kind's latency percentiles (goal: p95 under 50 ms)."""
    with psycopg.connect(args.database_url) as conn:
        pages = pick_pages(conn)
        papers = conn.execute("SELECT count(*) FROM papers_paper").fetchone()[0]
    collectstatic(args.database_url)
    env = gunicorn_env(args.database_url, args.port, 1, args.max_requests)
    with running([str(GUNICORN), "arrow_site.wsgi"], env, args.port, "/admin/login/", "gunicorn-pages.log") as base:
        pages["paper"] = resolve_papers(base, pages["paper"], 1)
        options = {"threads": 1, "connections": 1, "parallel": 1, "exact": True}
        results = [measure_kind(base, "login", ["/admin/login/"], args, **options)]
        results += [measure_kind(base, kind, pages[kind], args, **options) for kind in args.kinds]
    print_header(
        args,
        f"{papers:,} papers (`{args.database_url.rsplit('/', 1)[1]}`); gunicorn with WEB_CONCURRENCY=1, DB_POOL=1, "
        f"DEBUG off, no page cache{recycling(args)}; one request at a time for {args.duration}s per kind, each "
        "timed from connect to last byte in Python (exact percentiles, unlike wrk's corrected ones).",
    )
    goal = f"p95 < {MILLION_P95_GOAL_MS} ms"
    print(f"| kind | pages | HTML median (max) | requests/s | p50 | p95 | p99 | non-2xx | {goal} |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        met = "yes" if r.p95 < MILLION_P95_GOAL_MS else "no"
        print(
            f"| {r.kind} | {r.pages} | {size_column(r)} | {r.rps:.1f} | {ms(r.p50)} | {ms(r.p95)} | {ms(r.p99)} | "
            f"{r.non2xx} | {met} |"
        )
    print_failures(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: postgres://postgres@127.0.0.1:5432/arrow_bench_pages50k")
    parser.add_argument("--prepare", action="store_true", help="(re)create the database and import the corpus")
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sqlite", action="store_true", help="SQLite: our filtered list and search, and datasette")
    parser.add_argument("--million", action="store_true", help="one process, one connection: p50/p95/p99 per kind")
    parser.add_argument("--datasette-immutable", action="store_true", help="serve the file to datasette --immutable")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"page kinds to time (default: {','.join(KINDS)})")
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per kind")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--port", type=int, default=8150, help="ours; datasette gets the next one")
    parser.add_argument(
        "--max-requests",
        type=int,
        help="recycle each gunicorn worker after this many requests, 0 never (default: gunicorn.conf.py's "
        "max_requests, as in production; a recycle stalls that worker for about a second)",
    )
    args = parser.parse_args()
    args.kinds = [kind for kind in args.kinds.split(",") if kind]
    if unknown := set(args.kinds) - set(KINDS):
        parser.error(f"unknown kinds: {', '.join(sorted(unknown))}")
    args.database_url = args.database_url or f"{SERVER}/arrow_bench_pages{size_label(args.papers)}"
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    args.load_at_start = os.getloadavg()[0]
    if args.sqlite:
        measure_sqlite(args)  # prepares its SQLite file itself
        return
    if args.prepare:
        prepare_postgres(args.database_url, args.papers, args.seed)
    if args.million:
        measure_million(args)
    else:
        measure_postgres(args)


if __name__ == "__main__":
    main()
