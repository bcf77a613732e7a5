"""Mixed page traffic against gunicorn on PostgreSQL while an import runs and a curator merges.

    python bench/load.py --database-url postgres://postgres@127.0.0.1:5444/arrow_load \
        --import-file extra.jsonl --duration 60 --users 8
    python bench/load.py ... --restart-postgres "15 load" --restart-at 30   # fault: restart PostgreSQL
    python bench/load.py ... --kill-import-at 3                            # fault: kill the import, rerun

The database must already hold the corpus (`manage.py migrate` + `import_papers` of
`gen_corpus.py --format jsonl --papers 50000`). The script starts gunicorn with our gunicorn.conf.py
(DEBUG off, DB_POOL=1, behind-proxy settings, requests carry X-Forwarded-Proto: https), runs
`--users` threads that each request a random public page in a loop for `--duration` seconds, starts
the import of `--import-file` two seconds in, and runs a curator process that merges two author rows
of one name cluster every few seconds through `authors.services.author_merge`. A request fails on a
connection error or any status >= 400. It prints a Markdown table for docs/benchmarks.md ("## Load")
and writes the raw numbers to bench/out/load-*.json.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
OUT = ROOT / "bench" / "out"
WORDS = ["graph", "neural", "kernel", "bandit", "privacy", "diffusion", "Wang", "Rezaei", "Müller", "regret"]

MERGER = """
import random, sys, time, django
django.setup()
from django.contrib.auth.models import User
from django.db.models import Count, Q
from authors.models import Author, NameCluster
from authors.services import author_merge
curator, _ = User.objects.get_or_create(username="load-curator", defaults={"is_staff": True})
deadline = time.monotonic() + float(sys.argv[1])
merges = 0
while time.monotonic() < deadline:
    cluster = (NameCluster.objects.annotate(live=Count("authors", filter=Q(authors__merged_into__isnull=True)))
               .filter(live__gte=2).order_by("?").first())
    if cluster is None:
        break
    target, source = Author.objects.active().filter(cluster=cluster).order_by("?")[:2]
    author_merge(target=target, sources=[source], curator=curator)
    merges += 1
    time.sleep(2)
print(merges)
"""


def sample_targets(dsn: str) -> dict[str, list[str]]:
    with psycopg.connect(dsn) as conn:
        papers = [r[0] for r in conn.execute("SELECT id FROM papers_paper ORDER BY random() LIMIT 300")]
        authors = [r[0] for r in conn.execute("SELECT id FROM authors_author ORDER BY random() LIMIT 300")]
        clusters = [r[0] for r in conn.execute("SELECT slug FROM authors_namecluster ORDER BY random() LIMIT 300")]
        venues = [r[0] for r in conn.execute("SELECT slug FROM papers_venue ORDER BY random() LIMIT 50")]
    quote = urllib.parse.quote
    return {
        "home": ["/"],
        "paper list": [f"/papers/?page={n}" for n in range(1, 40)],
        "paper": [f"/papers/{pk}/" for pk in papers],
        "author": [f"/authors/{pk}/" for pk in authors],
        "cluster": [f"/clusters/{quote(slug)}/" for slug in clusters],
        "venue": ["/venues/"] + [f"/venues/{quote(slug)}/" for slug in venues],
        "search": [f"/search/?q={quote(word)}" for word in WORDS],
    }


# How often each page type is asked for: detail pages dominate real traffic.
MIX = {"home": 1, "paper list": 2, "paper": 5, "author": 3, "cluster": 3, "venue": 1, "search": 3}


def user_loop(port: int, targets: dict, stop: threading.Event, results: list, lock: threading.Lock) -> None:
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        kind = random.choices(kinds, weights)[0]
        url = random.choice(targets[kind])
        started = time.monotonic()
        try:
            conn.request("GET", url, headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"})
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as error:
            status = f"error: {type(error).__name__}"
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        elapsed = time.monotonic() - started
        # A merged author row answers with a redirect to the survivor: that is success.
        ok = isinstance(status, int) and status < 400
        with lock:
            results.append((started, kind, elapsed, status, ok, url))


def wait_for(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 10) - 1] if len(values) > 1 else values[0]


def table(results: list, duration: float) -> str:
    lines = [
        "| page | requests | failed | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind in [*MIX, "all"]:
        rows = [r for r in results if kind in ("all", r[1])]
        if not rows:
            continue
        ms = [r[2] * 1000 for r in rows]
        failed = sum(not r[4] for r in rows)
        lines.append(
            f"| {kind} | {len(rows)} | {failed} | {percentile(ms, 50):.0f} | {percentile(ms, 95):.0f} "
            f"| {percentile(ms, 99):.0f} | {max(ms):.0f} |"
        )
    lines.append(f"\n{len(results) / duration:.0f} requests/s over {duration:.0f} s.")
    return "\n".join(lines)


def count_rows(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ["papers_paper", "papers_papersource", "papers_authorship", "papers_importrun"]
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.getenv("DATABASE_URL"), required=not os.getenv("DATABASE_URL"))
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--users", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--import-file", type=Path, help="JSON Lines imported while the load runs")
    parser.add_argument("--kill-import-at", type=float, help="SIGKILL the import after N seconds, then rerun it")
    parser.add_argument("--no-merge", action="store_true", help="no curator merging during the run")
    parser.add_argument("--restart-postgres", metavar="'VERSION CLUSTER'", help="pg_ctlcluster restart mid-run")
    parser.add_argument("--restart-at", type=float, help="seconds into the run (default: half-way)")
    args = parser.parse_args()

    dsn = args.database_url
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "DJANGO_SETTINGS_MODULE": "arrow_site.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DB_POOL": "1",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
    }
    env.pop("DJANGO_DEBUG", None)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    server_log = (OUT / f"load-{stamp}-gunicorn.log").open("w")
    targets = sample_targets(dsn)
    before = count_rows(dsn)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "arrow_site.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    events: list[tuple[float, str]] = []
    try:
        wait_for(args.port)
        stop, lock, results = threading.Event(), threading.Lock(), []
        users = [
            threading.Thread(target=user_loop, args=(args.port, targets, stop, results, lock), daemon=True)
            for _ in range(args.users)
        ]
        t0 = time.monotonic()
        for user in users:
            user.start()
        merger = None
        if not args.no_merge:
            merger = subprocess.Popen(
                [str(PYTHON), "-c", MERGER, str(args.duration - 5)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
        importer = None
        import_cmd = [str(PYTHON), "manage.py", "import_papers", str(args.import_file)] if args.import_file else None
        restart_at = args.restart_at if args.restart_at is not None else args.duration / 2
        restarted = killed = False
        while (now := time.monotonic() - t0) < args.duration:
            if import_cmd and importer is None and now >= 2:
                importer = subprocess.Popen(
                    import_cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
                )
                events.append((now, "import started"))
            if importer and args.kill_import_at and not killed and now >= 2 + args.kill_import_at:
                importer.send_signal(signal.SIGKILL)
                importer.wait()
                killed = True
                events.append((now, "import killed (SIGKILL)"))
                importer = subprocess.Popen(
                    import_cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
                )
                events.append((now, "import restarted"))
            if args.restart_postgres and not restarted and now >= restart_at:
                version, cluster = args.restart_postgres.split()
                subprocess.run(["pg_ctlcluster", version, cluster, "restart", "-m", "fast"], check=True)
                restarted = True
                events.append((time.monotonic() - t0, "PostgreSQL restarted"))
            if importer and importer.poll() is not None and not any(e[1].startswith("import finished") for e in events):
                events.append((now, f"import finished (exit {importer.returncode})"))
            time.sleep(0.1)
        stop.set()
        for user in users:
            user.join(timeout=35)
        duration = time.monotonic() - t0
        if importer:
            output = importer.communicate(timeout=600)[0].decode(errors="replace")
            if not any(e[1].startswith("import finished") for e in events):
                events.append((time.monotonic() - t0, f"import finished (exit {importer.returncode}) after the load"))
        merges = int(merger.communicate(timeout=60)[0].strip() or 0) if merger else 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        server_log.close()

    after = count_rows(dsn)
    failures = [r for r in results if not r[4]]
    report = {
        "users": args.users,
        "workers": args.workers,
        "duration_s": duration,
        "requests": len(results),
        "failed": len(failures),
        "merges": merges,
        "events": events,
        "rows_before": before,
        "rows_after": after,
        "failures": [{"t": round(r[0] - t0, 2), "url": r[5], "status": str(r[3])} for r in failures[:50]],
        "import_output_tail": output[-600:] if importer else "",
        "latencies": [(round(r[0] - t0, 3), r[1], round(r[2] * 1000, 1), str(r[3])) for r in results],
    }
    path = OUT / f"load-{stamp}.json"
    path.write_text(json.dumps(report))
    print(table(results, duration))
    print(f"\nfailed requests: {len(failures)}; curator merges: {merges}; events: {events}")
    print(f"rows before: {before}\nrows after:  {after}")
    if failures:
        first, last = failures[0][0] - t0, failures[-1][0] - t0
        print(f"failures between t={first:.1f}s and t={last:.1f}s: {sorted({str(r[3]) for r in failures})}")
    print(f"raw numbers: {path.relative_to(ROOT)}")
    sys.exit(1 if failures and not args.restart_postgres else 0)


if __name__ == "__main__":
    main()
