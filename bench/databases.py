"""The benchmarks' corpus and databases: shared/tools/gen_corpus.py's corpus written once into bench/out/,
and a PostgreSQL database or SQLite file that holds it plus the sample file."""

import os
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import psycopg
from locations import OUT, PYTHON, ROOT

# gen_corpus.py's corpus, written in linear time (bench/corpus.py says why).
GEN_CORPUS = ROOT / "bench" / "corpus.py"
SAMPLE = ROOT / "sample_data" / "keivan-rezaei.jsonl"
SERVER = "postgres://postgres@127.0.0.1:5432"


def size_label(papers: int) -> str:
    if papers % 1_000_000 == 0:
        return f"{papers // 1_000_000}m"
    return f"{papers // 1000}k" if papers % 1000 == 0 else str(papers)


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


def corpus_file(fmt: str, papers: int, seed: int, *, log: Callable[[str], None] | None = None) -> Path:
    """The corpus as dblp XML or JSON Lines, generated once into bench/out/ (the importer finds dblp.dtd itself)."""
    path = OUT / f"corpus-{papers}-seed{seed}.{'xml' if fmt == 'dblp' else fmt}"
    if not path.exists():
        if log:
            log(f"writing {path.relative_to(ROOT)}")
        OUT.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with open(partial, "wb") as handle:
            command = [sys.executable, str(GEN_CORPUS), "--format", fmt, "--papers", str(papers)]
            subprocess.run([*command, "--seed", str(seed)], stdout=handle, check=True)
        partial.rename(path)
    return path


def import_corpus(env: dict, papers: int, seed: int) -> None:
    manage(env, "migrate", "--no-input", "-v", "0")
    corpus = corpus_file("dblp", papers, seed)
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
        # no index-only scan pays.
        conn.execute("VACUUM (ANALYZE)")


def prepare_sqlite(path: Path, papers: int, seed: int) -> None:
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)
    import_corpus(env_for(sqlite_url(path)), papers, seed)
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("ANALYZE")


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"  # dj-database-url: sqlite:////abs/path
