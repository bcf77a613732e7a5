"""bench/pages.py --sqlite: our filtered paper list and search against datasette's filtered table page,
on one SQLite file, one process each and one after the other."""

import os
import sqlite3
import subprocess
import sys
import urllib.parse
from contextlib import closing
from pathlib import Path

from databases import prepare_sqlite, size_label, sqlite_url
from locations import GUNICORN, OUT, ROOT
from page_fetch import papers_on_page
from page_load import WRK_NOTE, measure_kind
from page_picks import list_paths, search_paths, title_word_pairs, year_venue_pairs
from page_reports import ms, print_failures, print_header, recycling, size_column
from servers import collectstatic, gunicorn_env, running

DATASETTE_VENV = OUT / "datasette-venv"
DATASETTE_REQUIREMENT = "datasette~=0.65.0"  # the version the issue measured
SQLITE_RATIO_GOAL = 1.5


def datasette_executable() -> Path:
    """datasette in its own virtualenv under bench/out/, never in the project's."""
    executable = DATASETTE_VENV / "bin" / "datasette"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(DATASETTE_VENV)], check=True)
        pip = [str(DATASETTE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", DATASETTE_REQUIREMENT]
        subprocess.run(pip, check=True)
    return executable


def measure_sqlite(args) -> None:
    """Our filtered paper list and datasette's filtered table page on one SQLite file, one process each."""
    database = OUT / f"arrow_pages{size_label(args.papers)}.sqlite3"
    if args.prepare or not database.exists():
        prepare_sqlite(database, args.papers, args.seed)
    datasette = datasette_executable()
    version = subprocess.run([str(datasette), "--version"], capture_output=True, text=True, check=True).stdout
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
        pairs = year_venue_pairs(conn)
        searches = title_word_pairs(conn)
    url = sqlite_url(database)
    collectstatic(url)
    options = {"threads": 2, "connections": args.connections, "parallel": 1}
    env = gunicorn_env(url, args.port, 1, args.max_requests)
    with running([str(GUNICORN), "arrow_site.wsgi"], env, args.port, "/admin/login/", "gunicorn-sqlite.log") as base:
        ours = [
            measure_kind(base, "login", ["/admin/login/"], args, **options),
            measure_kind(base, "list", list_paths(pairs), args, **options),
            measure_kind(base, "search", search_paths(searches), args, **options),
        ]
        shown = papers_on_page(base, list_paths(pairs)[0])
    mode = ["--immutable", str(database)] if args.datasette_immutable else [str(database)]
    command = [str(datasette), "serve", *mode, "--host", "127.0.0.1", "--port", str(args.port + 1)]
    table = f"/{database.stem}/papers_paper?"
    filters = [{"year": year, "venue_id": pk} for year, _, pk in pairs]
    with running(command, dict(os.environ), args.port + 1, "/-/versions.json", "datasette.log") as base:
        # Its default page (100 rows), and one of as many rows as our page shows papers.
        theirs = [
            measure_kind(base, "datasette-list", [table + urllib.parse.urlencode(f) for f in filters], args, **options),
            measure_kind(
                base,
                f"datasette-list-{shown}",
                [table + urllib.parse.urlencode({**f, "_size": shown}) for f in filters],
                args,
                **options,
            ),
        ]
    print_header(
        args,
        f"SQLite file `{database.relative_to(ROOT)}`, one process each, one after the other: ours is gunicorn "
        f"(gunicorn.conf.py) with WEB_CONCURRENCY=1 (sync), DEBUG off, no page cache{recycling(args)}; theirs is "
        f"{version.strip()} `datasette serve{' --immutable' if args.datasette_immutable else ''}` "
        f"({'immutable' if args.datasette_immutable else 'read-only (mode=ro)'}, default settings). "
        f"wrk -t2 -c{args.connections} -d{args.duration}s per row, pages walked round-robin. {WRK_NOTE}",
    )
    print("| page | server | pages | HTML median (max) | requests/s | p50 | p95 | p99 | non-2xx | ours / datasette |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    rows = [
        ("admin login page", "ours", ours[0]),
        (f"`/papers/?year=Y&venue=V` ({shown} papers a page)", "ours", ours[1]),
        ("`/DB/papers_paper?year=Y&venue_id=ID` (default: 100 rows)", "datasette", theirs[0]),
        (f"`/DB/papers_paper?year=Y&venue_id=ID&_size={shown}`", "datasette", theirs[1]),
        ("`/search/?q=W1+W2`", "ours", ours[2]),
    ]
    for label, server, r in rows:
        ratio = f"{ours[1].rps / r.rps:.2f}x" if server == "datasette" and r.requests else ""
        print(
            f"| {label} | {server} | {r.pages} | {size_column(r)} | {r.rps:.1f} | {ms(r.p50)} | {ms(r.p95)} | "
            f"{ms(r.p99)} | {r.non2xx} | {ratio} |"
        )
    ratios = [ours[1].rps / r.rps if r.requests else float("inf") for r in theirs]
    verdicts = ["met" if ratio >= SQLITE_RATIO_GOAL else "not met" for ratio in ratios]
    print(
        f"\nFiltered paper list, ours / datasette (goal: at least {SQLITE_RATIO_GOAL:g}x): {ratios[0]:.2f}x against "
        f"its default page ({verdicts[0]}), {ratios[1]:.2f}x against its page of {shown} rows ({verdicts[1]}). "
        f"Search on SQLite: {ours[2].rps:.1f} requests/s, "
        f"{ours[0].rps / ours[2].rps if ours[2].requests else float('inf'):.2f}x slower than the login page."
    )
    print_failures([*ours, *theirs])
