"""The page benchmark's report: sizes and latencies as Markdown, and the header that says how it ran."""

import os
import shlex
import statistics
import subprocess
import sys
import time

from locations import ROOT
from page_load import Result


def kb(size: float) -> str:
    return f"{size / 1000:.0f} KB" if size >= 10_000 else f"{size / 1000:.1f} KB"


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def print_header(args, setup: str) -> None:
    executable = os.path.relpath(sys.executable, ROOT) if sys.executable.startswith(str(ROOT)) else sys.executable
    script = os.path.relpath(os.path.abspath(sys.argv[0]), ROOT)  # bench/pages.py, whichever module prints
    command = shlex.join([executable, script, *sys.argv[1:]])
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
