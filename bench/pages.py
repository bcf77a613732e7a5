"""Requests per second of the public pages under gunicorn, on a 50,000-paper PostgreSQL database.

    python bench/pages.py --prepare        # once: create the database, import the synthetic corpus
    python bench/pages.py                  # measure (prints a Markdown table for docs/benchmarks.md)

The corpus comes from shared/tools/gen_corpus.py (same --seed, same corpus; run through
bench/corpus.py) plus the sample file, and is imported with `manage.py import_papers`. The server
is gunicorn with our gunicorn.conf.py (sync workers, 2 x cores + 1), DEBUG off, no page cache, so
every request renders from the database. The load comes from `wrk` (Debian package) on the same
machine, against 127.0.0.1 only, for a fixed time.
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
# gen_corpus.py's corpus, written in linear time (bench/corpus.py says why).
GEN_CORPUS = ROOT / "bench" / "corpus.py"
OUT = ROOT / "bench" / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"


def env_for(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        # Plain http on 127.0.0.1: no redirect to https, no proxy in front.
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_PAGE_CACHE_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, env=env, check=True)


def prepare(database_url: str, papers: int, seed: int) -> None:
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # our own bench database, named by us
        conn.execute(f'CREATE DATABASE "{name}"')
    env = env_for(database_url)
    manage(env, "migrate", "--no-input", "-v", "0")
    OUT.mkdir(parents=True, exist_ok=True)
    corpus = OUT / f"corpus-{papers}-seed{seed}.jsonl"
    if not corpus.exists():
        with open(corpus, "w") as handle:
            subprocess.run(
                [sys.executable, str(GEN_CORPUS), "--format", "jsonl", "--papers", str(papers), "--seed", str(seed)],
                stdout=handle,
                check=True,
            )
    started = time.monotonic()
    manage(env, "import_papers", str(corpus), "sample_data/keivan-rezaei.jsonl")
    print(f"imported in {time.monotonic() - started:.1f}s")
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def pick_urls(database_url: str) -> list[tuple[str, str]]:
    """The pages to measure: the biggest cluster and the sample's, the list plain and filtered, searches."""
    with psycopg.connect(database_url) as conn:
        big_slug, big_papers = conn.execute(
            "SELECT slug, paper_count FROM authors_namecluster ORDER BY paper_count DESC LIMIT 1"
        ).fetchone()
        venue = conn.execute(
            "SELECT v.short_name FROM papers_venue v JOIN papers_paper p ON p.venue_id = v.id "
            "GROUP BY v.short_name ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
    return [
        ("cluster (sample, 9 + synthetic papers)", "/clusters/keivan-rezaei/"),
        (f"cluster (largest, {big_papers} papers)", f"/clusters/{big_slug}/"),
        ("cluster, filtered by year", f"/clusters/{big_slug}/?year=2020"),
        ("paper list, page 1", "/papers/"),
        ("paper list, venue + year range", f"/papers/?venue={venue}&year_min=2015&year_max=2020"),
        ("paper list, page 100", "/papers/?page=100"),
        ("search, common name", "/search/?q=wang"),
        ("search, title word", "/search/?q=diffusion"),
    ]


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            raise SystemExit("gunicorn exited; run it by hand to see why")
        try:
            with urllib.request.urlopen(base + "/", timeout=10):  # noqa: S310 (http://127.0.0.1 only)
                return
        except (urllib.error.URLError, OSError):  # not listening yet, or still starting
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in 20 s")


def run_wrk(url: str, *, duration: int, connections: int, threads: int) -> dict:
    out = subprocess.run(
        # --timeout well above any page's latency, so slow requests count in the percentiles.
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50": latency.get("50", "?"),
        "p99": latency.get("99", "?"),
        "errors": (int(errors[1]) if errors else 0),
        "socket_errors": socket_errors[1] if socket_errors else "none",
    }


def measure(args) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    env = env_for(args.database_url)
    manage(env, "collectstatic", "--no-input", "-v", "0")  # the manifest storage needs it with DEBUG off
    urls = pick_urls(args.database_url)
    base = f"http://127.0.0.1:{args.port}"
    env.update(GUNICORN_BIND=f"127.0.0.1:{args.port}", WEB_CONCURRENCY=str(args.workers))
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "arrow_site.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(base, server)
        rows = []
        for label, path in urls:
            # Warm up, and check the page is a 200 before timing it.
            with urllib.request.urlopen(base + path, timeout=30) as response:  # noqa: S310 (http://127.0.0.1)
                assert response.status == 200, (path, response.status)
            result = run_wrk(base + path, duration=args.duration, connections=args.connections, threads=2)
            rows.append((label, path, result))
            print(f"{label}: {result['rps']:.0f} req/s, p50 {result['p50']}, p99 {result['p99']}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n{args.workers} gunicorn workers, wrk -t2 -c{args.connections} -d{args.duration}s per page\n")
    print("| page | URL | requests/s | p50 | p99 | non-2xx | socket errors |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    for label, path, r in rows:
        print(
            f"| {label} | `{path}` | {r['rps']:.1f} | {r['p50']} | {r['p99']} | {r['errors']} | {r['socket_errors']} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/arrow_bench_pages")
    parser.add_argument("--prepare", action="store_true", help="(re)create the database and import the corpus")
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--connections", type=int, default=0, help="default: one per worker")
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()
    args.connections = args.connections or args.workers
    if args.prepare:
        prepare(args.database_url, args.papers, args.seed)
    measure(args)


if __name__ == "__main__":
    main()
