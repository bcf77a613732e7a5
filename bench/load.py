"""Mixed page traffic against gunicorn on PostgreSQL while an import runs and a curator merges.

    python bench/load.py --database-url postgres://postgres@127.0.0.1:5444/arrow_load \
        --import-file extra.jsonl --duration 60 --users 8
    python bench/load.py ... --restart-postgres "15 load" --restart-at 30   # fault: restart PostgreSQL
    python bench/load.py ... --kill-import-at 3                            # fault: kill the import, rerun
    python bench/load.py --with-replica --with-redis --duration 60 --users 8 \
        --stop-replica-at 20 --stop-redis-at 40                            # faults: replica, then Redis

The database must already hold the corpus (`manage.py migrate` + `import_papers` of
`gen_corpus.py --format jsonl --papers 50000`). The script starts gunicorn with our gunicorn.conf.py
(DEBUG off, DB_POOL=1, behind-proxy settings, requests carry X-Forwarded-Proto: https), runs
`--users` threads that each request a random public page in a loop for `--duration` seconds, starts
the import of `--import-file` two seconds in, and runs a curator process that merges two author rows
of one name cluster every few seconds through `authors.curation.merge.author_merge`. A request fails on a
connection error or any status >= 400. It prints a Markdown table for docs/benchmarks.md ("## Load")
and writes the raw numbers to bench/out/load-*.json.

Scale-out and its faults. `--with-replica` builds a throwaway primary + streaming replica
(tests/streaming_pair.py, free ports, removed at the end), migrates and imports `--corpus` into the
primary (default: bench/out/corpus-<--corpus-papers>-seed1.jsonl, written by bench/corpus.py if
missing), waits for the replica to replay it and points DATABASE_URL / DATABASE_REPLICA_URLS at them;
`--replica-url` names existing replicas of `--database-url` instead. `--with-redis` starts a private
redis-server on a free port (no persistence) and turns on the page cache (REDIS_URL,
DJANGO_PAGE_CACHE_SECONDS). Without these options DATABASE_REPLICA_URLS and REDIS_URL are unset for
the server, whatever the calling shell says. `--stop-replica-at N` stops the replica N seconds in
(`pg_ctl stop -m immediate`), `--stop-redis-at N` kills redis-server (SIGKILL). Meanwhile a probe asks
/healthz every half second, as a load balancer would (it must answer 200, "degraded" once a worker has
met a fault, never 503), and a second table gives the latencies before, between and just after the
faults. Everything started is stopped at the end, on an error or Ctrl-C too.
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from databases import corpus_file
from load_report import count_rows, fault_table, probe_changes, redis_stats, snapshot, table
from load_traffic import probe_loop, sample_targets, user_loop, wait_for
from locations import OUT, PYTHON, ROOT
from servers import start_redis, stop_process

sys.path.insert(0, str(ROOT))
from tests.streaming_pair import StreamingPair, free_port  # noqa: E402 (needs ROOT on sys.path)

MERGER = """
import random, sys, time, django
django.setup()
from django.contrib.auth.models import User
from django.db.models import Count, Q
from authors.models import Author, NameCluster
from authors.curation.merge import author_merge
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


def log(message: str) -> None:
    print(f"[load] {message}", file=sys.stderr, flush=True)


def load_corpus(url: str, corpus: Path, env: dict) -> None:
    """migrate + import_papers into an empty database, then VACUUM ANALYZE (as after a first load)."""
    env = {**env, "DATABASE_URL": url}
    for step in (["migrate", "--no-input", "-v", "0"], ["import_papers", str(corpus)]):
        started = time.monotonic()
        done = subprocess.run(
            [str(PYTHON), "manage.py", *step], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        )
        tail = done.stdout.strip().splitlines()[-1:] or [""]
        log(f"{step[0]}: {time.monotonic() - started:.0f} s {tail[0]}")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.getenv("DATABASE_URL"), help="not with --with-replica")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--users", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--port", type=int, help="gunicorn's port (default: a free one)")
    parser.add_argument("--import-file", type=Path, help="JSON Lines imported while the load runs")
    parser.add_argument("--kill-import-at", type=float, help="SIGKILL the import after N seconds, then rerun it")
    parser.add_argument("--no-merge", action="store_true", help="no curator merging during the run")
    parser.add_argument("--restart-postgres", metavar="'VERSION CLUSTER'", help="pg_ctlcluster restart mid-run")
    parser.add_argument("--restart-at", type=float, help="seconds into the run (default: half-way)")
    parser.add_argument("--with-replica", action="store_true", help="a throwaway primary + streaming replica")
    parser.add_argument("--corpus", type=Path, help="JSON Lines loaded into --with-replica's primary")
    parser.add_argument("--corpus-papers", type=int, default=50000, help="size of the default --corpus")
    parser.add_argument("--replica-url", action="append", default=[], help="a replica of --database-url")
    parser.add_argument("--with-redis", action="store_true", help="a private redis-server and the page cache")
    parser.add_argument("--page-cache-seconds", type=int, default=300, help="DJANGO_PAGE_CACHE_SECONDS")
    parser.add_argument("--stop-replica-at", type=float, help="stop --with-replica's replica after N seconds")
    parser.add_argument("--stop-redis-at", type=float, help="kill --with-redis's redis-server after N seconds")
    parser.add_argument("--after", type=float, default=5, help="seconds after each fault shown on their own")
    args = parser.parse_args()
    if not args.with_replica and not args.database_url:
        parser.error("--database-url (or DATABASE_URL) is required without --with-replica")
    if args.with_replica and args.replica_url:
        parser.error("--with-replica makes its own replica: no --replica-url with it")
    if args.stop_replica_at is not None and not args.with_replica:
        parser.error("--stop-replica-at needs --with-replica (a replica this script may stop)")
    if args.stop_redis_at is not None and not args.with_redis:
        parser.error("--stop-redis-at needs --with-redis (a redis-server this script may kill)")
    if args.kill_import_at is not None and not args.import_file:
        parser.error("--kill-import-at needs --import-file")

    # A `kill` ends the run as Ctrl-C does: through the cleanup below.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    port = args.port or free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "arrow_site.settings",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_LOG_FORMAT": "json",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DB_POOL": "1",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    # The options below decide these, not the calling shell.
    for name in ("DJANGO_DEBUG", "DATABASE_REPLICA_URLS", "REDIS_URL", "DJANGO_PAGE_CACHE_SECONDS"):
        env.pop(name, None)
    OUT.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")

    # Everything started below is stopped when this block ends, in reverse order, whatever happened.
    with contextlib.ExitStack() as stack:
        pair = None
        if args.with_replica:
            corpus = args.corpus or corpus_file("jsonl", args.corpus_papers, 1, log=log)
            log("starting a PostgreSQL primary + streaming replica")
            pair = stack.enter_context(StreamingPair())
            load_corpus(pair.primary_url, corpus, env)
            pair.wait_replayed(timeout=600)
            log(f"replica has replayed the corpus ({pair.primary_url}, replica {pair.replica_url})")
            dsn, replica_urls = pair.primary_url, [pair.replica_url]
        else:
            dsn, replica_urls = args.database_url, args.replica_url
        env["DATABASE_URL"] = dsn
        if replica_urls:
            env["DATABASE_REPLICA_URLS"] = ",".join(replica_urls)
        redis_server = redis_port = None
        if args.with_redis:
            redis_port = free_port()
            redis_log = stack.enter_context((OUT / f"load-{stamp}-redis.log").open("w"))
            redis_server = start_redis(redis_port, redis_log)
            stack.callback(stop_process, redis_server, signal.SIGKILL)
            env["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            env["DJANGO_PAGE_CACHE_SECONDS"] = str(args.page_cache_seconds)
        run(args, env, dsn, replica_urls, pair, redis_server, redis_port, port, stamp, stack)


def run(args, env, dsn, replica_urls, pair, redis_server, redis_port, port, stamp, stack) -> None:
    server_log = stack.enter_context((OUT / f"load-{stamp}-gunicorn.log").open("w"))
    targets = sample_targets(dsn)
    before = count_rows(dsn)
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "arrow_site.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches this script only; it stops gunicorn itself
    )
    stack.callback(stop_process, server)
    events: list[tuple[float, str]] = []
    faults: list[tuple[float, str]] = []
    stats: dict[str, object] = {}
    wait_for(port)
    stop, lock, results, probes = threading.Event(), threading.Lock(), [], []
    stack.callback(stop.set)
    users = [
        threading.Thread(target=user_loop, args=(port, targets, stop, results, lock), daemon=True)
        for _ in range(args.users)
    ]
    probe = threading.Thread(target=probe_loop, args=(port, stop, probes, lock), daemon=True)
    if replica_urls:
        stats["transactions at t=0"] = snapshot(dsn, replica_urls)
    t0 = time.monotonic()
    for user in users:
        user.start()
    probe.start()

    def start(command: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
        )
        stack.callback(stop_process, process, signal.SIGKILL)
        return process

    merger = None if args.no_merge else start([str(PYTHON), "-c", MERGER, str(args.duration - 5)])
    importer = None
    import_cmd = [str(PYTHON), "manage.py", "import_papers", str(args.import_file)] if args.import_file else None
    restart_at = args.restart_at if args.restart_at is not None else args.duration / 2
    restarted = killed = replica_stopped = redis_killed = False
    while (now := time.monotonic() - t0) < args.duration:
        if import_cmd and importer is None and now >= 2:
            importer = start(import_cmd)
            events.append((now, "import started"))
        if importer and args.kill_import_at and not killed and now >= 2 + args.kill_import_at:
            importer.send_signal(signal.SIGKILL)
            importer.wait()
            killed = True
            events.append((now, "import killed (SIGKILL)"))
            importer = start(import_cmd)
            events.append((now, "import restarted"))
        if args.restart_postgres and not restarted and now >= restart_at:
            version, cluster = args.restart_postgres.split()
            subprocess.run(["pg_ctlcluster", version, cluster, "restart", "-m", "fast"], check=True)
            restarted = True
            events.append((time.monotonic() - t0, "PostgreSQL restarted"))
        if args.stop_replica_at is not None and not replica_stopped and now >= args.stop_replica_at:
            stats["transactions before the replica stopped"] = snapshot(dsn, replica_urls)
            at = time.monotonic() - t0
            pair.stop_replica()
            replica_stopped = True
            faults.append((at, "replica"))
            events.append((at, f"replica stopped (pg_ctl stop -m immediate, {time.monotonic() - t0 - at:.2f} s)"))
        if args.stop_redis_at is not None and not redis_killed and now >= args.stop_redis_at:
            stats["redis before it was killed"] = redis_stats(redis_port)
            at = time.monotonic() - t0
            stop_process(redis_server, signal.SIGKILL)
            redis_killed = True
            faults.append((at, "Redis"))
            events.append((at, "redis-server killed (SIGKILL)"))
        if importer and importer.poll() is not None and not any(e[1].startswith("import finished") for e in events):
            events.append((now, f"import finished (exit {importer.returncode})"))
        time.sleep(0.1)
    stop.set()
    for user in users:
        user.join(timeout=35)
    probe.join(timeout=15)
    duration = time.monotonic() - t0
    output = ""
    if importer:
        output = importer.communicate(timeout=600)[0].decode(errors="replace")
        if not any(e[1].startswith("import finished") for e in events):
            events.append((time.monotonic() - t0, f"import finished (exit {importer.returncode}) after the load"))
    merger_output = merger.communicate(timeout=60)[0].decode(errors="replace") if merger else ""
    # Its last line is the count; log lines (JSON) may come before it, e.g. the cache's outage warning.
    last_line = (merger_output.strip().splitlines() or ["0"])[-1]
    merges = int(last_line) if last_line.isdigit() else 0
    if merger and merger.returncode:
        events.append((time.monotonic() - t0, f"curator process failed (exit {merger.returncode}): {last_line}"))
    if replica_urls:
        stats["transactions at the end"] = snapshot(dsn, replica_urls)
    if redis_server and not redis_killed:
        stats["redis at the end"] = redis_stats(redis_port)
    stop_process(server)

    after = count_rows(dsn)
    failures = [r for r in results if not r[4]]
    bad_probes = [p for p in probes if p[2] != 200]
    slow = [r for r in results if r[2] >= 1.5]
    report = {
        "users": args.users,
        "workers": args.workers,
        "duration_s": duration,
        "replicas": len(replica_urls),
        "redis": bool(redis_server),
        "requests": len(results),
        "failed": len(failures),
        "merges": merges,
        "events": events,
        "faults": faults,
        "stats": stats,
        "rows_before": before,
        "rows_after": after,
        "failures": [{"t": round(r[0] - t0, 2), "url": r[5], "status": str(r[3])} for r in failures[:50]],
        "slow_requests": [{"t": round(r[0] - t0, 2), "ms": round(r[2] * 1000), "url": r[5]} for r in slow],
        "healthz": [(round(p[0] - t0, 2), round(p[1] * 1000, 1), str(p[2]), p[3], p[4]) for p in probes],
        "import_output_tail": output[-600:],
        "merger_output_tail": merger_output[-2000:],
        "latencies": [(round(r[0] - t0, 3), r[1], round(r[2] * 1000, 1), str(r[3])) for r in results],
    }
    path = OUT / f"load-{stamp}.json"
    path.write_text(json.dumps(report))
    print(table(results, duration))
    if faults or probes:
        print()
        print(fault_table(results, probes, t0, faults, duration, args.after))
    print(f"\nfailed requests: {len(failures)}; curator merges: {merges}; events: {events}")
    print(f"rows before: {before}\nrows after:  {after}")
    for name, value in stats.items():
        print(f"{name}: {value}")
    print(f"/healthz: {len(probes)} probes, {len(bad_probes)} not 200; answers as they changed:")
    for change in probe_changes(probes, t0)[:40]:
        print(f"  {change}")
    print(f"requests of 1.5 s or more: {[(round(r[0] - t0, 1), round(r[2], 1), r[1]) for r in slow]}")
    if failures:
        first, last = failures[0][0] - t0, failures[-1][0] - t0
        print(f"failures between t={first:.1f}s and t={last:.1f}s: {sorted({str(r[3]) for r in failures})}")
        for r in failures[:20]:
            print(f"  t={r[0] - t0:.2f}s {r[3]} {r[5]}")
    print(f"raw numbers: {path.relative_to(ROOT)}; server log: bench/out/load-{stamp}-gunicorn.log")
    sys.exit(1 if (failures or bad_probes) and not args.restart_postgres else 0)


if __name__ == "__main__":
    main()
