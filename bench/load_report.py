"""bench/load.py's report: latency tables by page and around each fault, how /healthz answered, and the
counters read from PostgreSQL and Redis before and after."""

import statistics
from collections import Counter

import psycopg
from load_traffic import MIX


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


def redis_stats(port: int) -> dict:
    import redis

    try:
        info = redis.Redis(port=port, socket_timeout=1).info("stats")
    except redis.RedisError as error:
        return {"error": str(error)}
    return {key: info[key] for key in ("keyspace_hits", "keyspace_misses", "total_commands_processed")}


def transactions(url: str) -> int | None:
    """Transactions the server has run in this database so far (pg_stat_database), None if it is down."""
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            query = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
            return conn.execute(query).fetchone()[0]
    except psycopg.Error:
        return None


def snapshot(dsn: str, replica_urls: list[str]) -> dict:
    return {"primary": transactions(dsn), "replicas": [transactions(url) for url in replica_urls]}


def windows(faults: list[tuple[float, str]], duration: float, after: float) -> list[tuple[str, float, float]]:
    """(label, from, to) in seconds: before the first fault, between faults, and just after each one."""
    if not faults:
        return [("whole run", 0.0, duration)]
    rows, down, start = [], [], 0.0
    for at, what in sorted(faults):
        rows.append((" + ".join(down) + " down" if down else "before the faults", start, at))
        rows.append((f"first {after:g} s after {what} went down", at, min(at + after, duration)))
        down.append(what)
        start = at
    rows.append((" + ".join(down) + " down", start, duration))
    return rows


def fault_table(results: list, probes: list, t0: float, faults: list, duration: float, after: float) -> str:
    lines = [
        "| window | t (s) | requests | failed | p50 ms | p99 ms | max ms | /healthz answers |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, start, end in windows(faults, duration, after):
        # By when a request ended: one in flight when a fault came counts after it.
        rows = [r for r in results if start <= r[0] + r[2] - t0 < end]
        answers = Counter(f"{p[2]} {p[3]}".strip() for p in probes if start <= p[0] + p[1] - t0 < end)
        answered = ", ".join(f"{answer} ×{count}" for answer, count in answers.most_common())
        if not rows:
            lines.append(f"| {label} | {start:.0f}–{end:.0f} | 0 | 0 | | | | {answered} |")
            continue
        ms = [r[2] * 1000 for r in rows]
        lines.append(
            f"| {label} | {start:.0f}–{end:.0f} | {len(rows)} | {sum(not r[4] for r in rows)} "
            f"| {percentile(ms, 50):.0f} | {percentile(ms, 99):.0f} | {max(ms):.0f} | {answered} |"
        )
    return "\n".join(lines)


def probe_changes(probes: list, t0: float) -> list[str]:
    """Each time the /healthz answer differs from the one before it (answers come from any worker)."""
    changes, last = [], None
    for started, _, code, state, detail in probes:
        answer = f"{code} {state} ({detail})" if detail else f"{code} {state}"
        if answer != last:
            changes.append(f"t={started - t0:.1f}s {answer}")
            last = answer
    return changes
