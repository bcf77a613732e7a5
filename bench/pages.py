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
import concurrent.futures
import http.client
import itertools
import os
import re
import secrets
import shlex
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
# gen_corpus.py's corpus, written in linear time (bench/corpus.py says why).
GEN_CORPUS = ROOT / "bench" / "corpus.py"
SAMPLE = ROOT / "sample_data" / "keivan-rezaei.jsonl"
SERVER = "postgres://postgres@127.0.0.1:5432"
DATASETTE_VENV = OUT / "datasette-venv"
DATASETTE_REQUIREMENT = "datasette~=0.65.0"  # the version the issue measured

PAGES_PER_KIND = 100
KINDS = ("cluster", "list", "search", "author", "paper", "venue")
# Issue 23's goals: at most this many times slower than the login page.
GOALS = {"cluster": 3.0, "list": 2.5, "search": 2.5}
MILLION_P95_GOAL_MS = 50
SQLITE_RATIO_GOAL = 1.5
# Title words too common or too short to make a search of two words: English stop words of 4+ letters.
_STOP_WORDS = """
about above after again against among been before being below between both during each from further
have having here into itself more most other over same should some such than that their them then
there these they this those through under until upon very were what when where which while with
within without would your
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def size_label(papers: int) -> str:
    if papers % 1_000_000 == 0:
        return f"{papers // 1_000_000}m"
    return f"{papers // 1000}k" if papers % 1000 == 0 else str(papers)


# -- Preparing the databases ----------------------------------------------------------------------------


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


def corpus_file(papers: int, seed: int) -> Path:
    """The dblp XML corpus, generated once into bench/out/ (the importer finds dblp.dtd itself)."""
    path = OUT / f"corpus-{papers}-seed{seed}.xml"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".xml.part")
        with open(partial, "wb") as handle:
            command = [sys.executable, str(GEN_CORPUS), "--format", "dblp", "--papers", str(papers)]
            subprocess.run([*command, "--seed", str(seed)], stdout=handle, check=True)
        partial.rename(path)
    return path


def import_corpus(env: dict, papers: int, seed: int) -> None:
    manage(env, "migrate", "--no-input", "-v", "0")
    corpus = corpus_file(papers, seed)
    started = time.monotonic()
    manage(env, "import_papers", "-v", "0", str(corpus), str(SAMPLE))
    print(f"imported {corpus.name} and {SAMPLE.name} in {time.monotonic() - started:.1f}s", file=sys.stderr)


def prepare_postgres(database_url: str, papers: int, seed: int) -> None:
    server, name = database_url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')  # our own bench database, named by us
        conn.execute(f'CREATE DATABASE "{name}"')
    import_corpus(env_for(database_url), papers, seed)
    with psycopg.connect(database_url, autocommit=True) as conn:
        # VACUUM too, as autovacuum soon does after a load: until then the visibility map is empty and
        # no index-only scan pays (a venue page's capped count: 50 ms instead of 2 at 1,000,000 papers).
        conn.execute("VACUUM (ANALYZE)")


def prepare_sqlite(path: Path, papers: int, seed: int) -> None:
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    import_corpus(env_for(sqlite_url(path)), papers, seed)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("ANALYZE")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"  # dj-database-url: sqlite:////abs/path


# -- Which pages ----------------------------------------------------------------------------------------


def spread(items: list, count: int = PAGES_PER_KIND) -> list:
    """`count` items evenly spaced over `items` (all of them if there are no more)."""
    if len(items) <= count:
        return list(items)
    return [items[i * len(items) // count] for i in range(count)]


def quoted(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


def year_venue_pairs(conn) -> list[tuple[int, str, int]]:
    """(year, venue short name, venue id) of 100 pairs that have papers, spread from the busiest to the rarest."""
    rows = conn.execute(
        "SELECT p.year, v.short_name, v.id FROM papers_paper p JOIN papers_venue v ON v.id = p.venue_id "
        "WHERE p.year IS NOT NULL GROUP BY p.year, v.short_name, v.id ORDER BY count(*) DESC, p.year, v.short_name"
    ).fetchall()
    return spread([tuple(row) for row in rows])


def title_word_pairs(conn) -> list[str]:
    """100 different searches of two words that stand side by side in some title (so they match both as
    full text and as a substring), from titles spread over the papers in id order."""
    titles = [row[0] for row in conn.execute("SELECT title FROM papers_paper ORDER BY id").fetchall()]
    stride = max(1, len(titles) // PAGES_PER_KIND)
    seen, searches = set(), []
    for offset in range(stride):
        for title in titles[offset::stride]:
            for first, second in re.findall(r"(?=\b([A-Za-z]{4,}) ([A-Za-z]{4,})\b)", title):
                pair = (first.lower(), second.lower())
                if pair[0] != pair[1] and not STOP_WORDS.intersection(pair) and pair not in seen:
                    seen.add(pair)
                    searches.append(" ".join(pair))
                    break
            if len(searches) == PAGES_PER_KIND:
                return searches
    return searches


def list_paths(pairs) -> list[str]:
    return ["/papers/?" + urllib.parse.urlencode({"year": year, "venue": venue}) for year, venue, _ in pairs]


def search_paths(searches) -> list[str]:
    return ["/search/?" + urllib.parse.urlencode({"q": q}) for q in searches]


def pick_pages(conn) -> dict[str, list[str]]:
    """Each kind's paths (papers as /papers/<id>/: resolve_papers() follows them to their canonical URL)."""
    pages = {
        "cluster": [
            f"/clusters/{quoted(slug)}/"
            for (slug,) in conn.execute(
                "SELECT slug FROM authors_namecluster ORDER BY paper_count DESC, id LIMIT 100"
            ).fetchall()
        ],
        "list": list_paths(year_venue_pairs(conn)),
        "search": search_paths(title_word_pairs(conn)),
        "author": [
            f"/authors/{pk}/"
            for (pk,) in conn.execute(
                "SELECT id FROM authors_author WHERE merged_into_id IS NULL ORDER BY paper_count DESC, id LIMIT 100"
            ).fetchall()
        ],
        "paper": [
            f"/papers/{pk}/" for (pk,) in spread(conn.execute("SELECT id FROM papers_paper ORDER BY id").fetchall())
        ],
        "venue": [
            f"/venues/{quoted(slug)}/"
            for (slug,) in conn.execute(
                "SELECT v.slug FROM papers_venue v JOIN papers_paper p ON p.venue_id = v.id "
                "GROUP BY v.id, v.slug ORDER BY count(*) DESC, v.id LIMIT 100"
            ).fetchall()
        ],
    }
    return pages


# -- Fetching pages once --------------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect comes back as an HTTPError with its status and Location


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Fetched:
    path: str
    status: int
    size: int = 0
    location: str = ""
    # Whether the body links a paper and an author: a page of ours that answers 200 without them is
    # not the page meant (an empty result, or a template half-way through a change).
    shows_papers: bool = False

    @property
    def problem(self) -> str:
        if self.status != 200:
            return f"answered {self.status} {self.location}".rstrip()
        return "" if self.shows_papers else "answered 200 but links no paper and no author"


def fetch(base: str, path: str) -> Fetched:
    try:
        with _opener.open(base + path, timeout=60) as response:  # noqa: S310 (http://127.0.0.1 only)
            body = response.read()
            links = re.search(rb"/papers/\d+/", body) and re.search(rb"/authors/\d+/", body)
            return Fetched(path, response.status, len(body), shows_papers=bool(links))
    except urllib.error.HTTPError as error:
        return Fetched(path, error.code, len(error.read()), error.headers.get("Location", ""))


def fetch_all(base: str, paths: list[str], parallel: int) -> list[Fetched]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda path: fetch(base, path), paths))


def resolve_papers(base: str, paths: list[str], parallel: int) -> list[str]:
    """/papers/<id>/ redirects to /papers/<id>/<slug>/: measure the page a link leads to."""
    resolved = []
    for answer in fetch_all(base, paths, parallel):
        location = urllib.parse.urlsplit(answer.location)
        target = location.path + (f"?{location.query}" if location.query else "")
        resolved.append(target if answer.status in (301, 302) and target else answer.path)
    return resolved


def papers_on_page(base: str, path: str) -> int:
    """How many different papers a page of ours links (a list page links each of its papers)."""
    with _opener.open(base + path, timeout=60) as response:  # noqa: S310 (http://127.0.0.1 only)
        return len(set(re.findall(rb'href="/papers/(\d+)/', response.read())))


@dataclass
class Checked:
    sizes: dict[str, int]  # of the pages that passed, which alone are timed
    failed: list[Fetched]


def check(base: str, paths: list[str], parallel: int, *, ours: bool) -> Checked:
    """GET every page once (a warm-up too): it must answer 200 without a redirect, and our pages (all
    but the login page) must show papers."""
    answers = fetch_all(base, paths, parallel)
    failed = [a for a in answers if a.status != 200 or (ours and not a.shows_papers)]
    return Checked({a.path: a.size for a in answers if a not in failed}, failed)


# -- Servers --------------------------------------------------------------------------------------------


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@contextmanager
def running(command: list[str], env: dict, port: int, probe_path: str, log_name: str):
    """Start a server on 127.0.0.1:port, wait until probe_path answers, stop it afterwards."""
    if not port_is_free(port):
        raise SystemExit(f"port {port} is already in use: pass --port")
    base = f"http://127.0.0.1:{port}"
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / log_name, "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            for _ in range(300):
                if server.poll() is not None:
                    raise SystemExit(f"{command[0]} exited; see {OUT / log_name}")
                try:
                    fetch(base, probe_path)
                    break
                except (urllib.error.URLError, OSError):  # not listening yet
                    time.sleep(0.2)
            else:
                raise SystemExit(f"{command[0]} did not answer in 60 s")
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def gunicorn_env(database_url: str, port: int, workers: int, max_requests: int | None) -> dict:
    env = env_for(database_url)
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY=str(workers))
    if max_requests is not None:
        env["GUNICORN_CMD_ARGS"] = f"--max-requests {max_requests}"  # over gunicorn.conf.py's
    if database_url.startswith("postgres"):
        env.update(DB_POOL="1", DB_CONN_MAX_AGE="0")  # production (docs/deployment.md)
    return env


def collectstatic(database_url: str) -> None:
    # The manifest storage needs it with DEBUG off.
    manage(env_for(database_url), "collectstatic", "--no-input", "-v", "0")


# -- Load -----------------------------------------------------------------------------------------------

LUA = """\
-- Generated by bench/pages.py: {count} paths of the kind "{kind}", walked round-robin.
local paths = {{
{paths}
}}
local threads = {{}}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  -- Threads start half the list apart, so they do not ask for the same page at the same moment.
  counter = (id * math.floor(#paths / 2)) % #paths + 1
  non2xx = 0
end

function request()
  local path = paths[counter]
  counter = counter % #paths + 1
  return wrk.format("GET", path)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non2xx_total = 0
  for _, thread in ipairs(threads) do
    non2xx_total = non2xx_total + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d\\n",
    summary.requests, summary.duration, non2xx_total, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def write_lua(kind: str, paths: list[str]) -> Path:
    for path in paths:
        assert path.startswith("/") and not re.search(r'["\\\s]', path), path  # safe inside a Lua string
    script = OUT / f"wrk-{kind}.lua"
    script.write_text(LUA.format(count=len(paths), kind=kind, paths="\n".join(f'  "{path}",' for path in paths)))
    return script


@dataclass
class Result:
    kind: str
    pages: int
    requests: int
    seconds: float
    non2xx: int
    socket_errors: int
    p50: float  # milliseconds
    p95: float
    p99: float
    sizes: dict[str, int] = field(default_factory=dict)  # bytes of HTML by path
    failed: list[Fetched] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


def run_wrk(base: str, kind: str, paths: list[str], *, duration: int, threads: int, connections: int) -> Result:
    script = write_lua(kind, paths)
    # --timeout well above any page's latency, so slow requests count in the percentiles.
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", str(script)]
    out = subprocess.run([*command, base + paths[0]], capture_output=True, text=True, check=True).stdout
    values = dict(re.findall(r"(\w+)=(\d+)", re.search(r"^RESULT (.*)$", out, re.M)[1]))
    return Result(
        kind=kind,
        pages=len(paths),
        requests=int(values["requests"]),
        seconds=int(values["duration_us"]) / 1e6,
        non2xx=int(values["non2xx"]),
        socket_errors=int(values["socket_errors"]),
        p50=int(values["p50_us"]) / 1000,
        p95=int(values["p95_us"]) / 1000,
        p99=int(values["p99_us"]) / 1000,
    )


def time_requests(base: str, kind: str, paths: list[str], *, duration: int) -> Result:
    """One request at a time for `duration` seconds, each timed (connect to last byte): exact percentiles.

    wrk's own percentiles are corrected for coordinated omission: any request slower than twice the mean
    adds synthetic samples (one 0.9 s stall, such as a worker being recycled, puts dozens of samples above
    0.5 s), right for an open-loop load, wrong for "the p95 of a page in one process".
    """
    port = int(base.rsplit(":", 1)[1])
    latencies, non2xx = [], 0
    started = time.monotonic()
    for path in itertools.cycle(paths):
        if time.monotonic() - started >= duration:
            break
        before = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
        finally:
            conn.close()
        latencies.append((time.perf_counter() - before) * 1000)
        non2xx += not 200 <= response.status < 300
    seconds = time.monotonic() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    return Result(kind, len(paths), len(latencies), seconds, non2xx, 0, cuts[49], cuts[94], cuts[98])


def measure_kind(
    base: str, kind: str, paths: list[str], args, *, threads: int, connections: int, parallel: int, exact=False
) -> Result:
    """Check the pages, then load them: with wrk, or (exact) one at a time from Python (time_requests)."""
    checked = check(base, paths, parallel, ours=kind in KINDS)
    if not checked.sizes:
        print(f"{kind}: no page passed the check, not timed", file=sys.stderr)
        return Result(kind, 0, 0, 1, 0, 0, 0, 0, 0, failed=checked.failed)
    good = list(checked.sizes)
    if exact:
        result = time_requests(base, kind, good, duration=args.duration)
    else:
        result = run_wrk(base, kind, good, duration=args.duration, threads=threads, connections=connections)
    result.sizes, result.failed = checked.sizes, checked.failed
    print(
        f"{kind}: {result.requests} requests in {result.seconds:.1f}s, {result.rps:.1f}/s over {result.pages} pages, "
        f"p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms, non-2xx {result.non2xx}",
        file=sys.stderr,
    )
    return result


WRK_NOTE = (
    "Latency percentiles are wrk's, which it corrects for coordinated omission (a request slower than twice "
    "the mean adds synthetic samples), so a stall such as a worker recycle weighs on p95 and p99."
)


# -- Reports --------------------------------------------------------------------------------------------


def kb(size: float) -> str:
    return f"{size / 1000:.0f} KB" if size >= 10_000 else f"{size / 1000:.1f} KB"


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def print_header(args, setup: str) -> None:
    executable = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable
    command = shlex.join([executable, os.path.relpath(__file__, ROOT), *sys.argv[1:]])
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    print(f"    {command}\n")
    print(
        f"{time.strftime('%Y-%m-%d %H:%M')}, commit {commit.stdout.strip()}"
        f"{' with uncommitted changes' if dirty.stdout.strip() else ''}, {os.cpu_count()} cores, "
        f"load average {args.load_at_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end. {setup}\n"
    )


def recycling(args) -> str:
    if args.max_requests is None:
        return ", workers recycled as gunicorn.conf.py's max_requests says"
    return ", workers never recycled" if args.max_requests == 0 else f", --max-requests {args.max_requests}"


def print_failures(results: list[Result]) -> None:
    for result in results:
        for answer in result.failed:
            print(f"- not timed ({result.kind}): `{answer.path}` {answer.problem}")


def size_column(result: Result) -> str:
    if not result.sizes:
        return ""
    sizes = list(result.sizes.values())
    return f"{kb(statistics.median(sizes))} ({kb(max(sizes))})"


def report_postgres(results: list[Result], busiest_cluster: tuple[str, int | None]) -> None:
    """`results` alternate: login, a kind, login, a kind, ..., login. Each kind is compared with the
    mean of the two login runs on either side of it, so a machine that drifts during the run (a
    shared VM: the login page alone moved from 410 to 610 requests/s in one run) moves both alike."""
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
