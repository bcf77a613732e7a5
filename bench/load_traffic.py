"""bench/load.py's traffic: the pages its users ask for and how often, the users' loop, and the /healthz
probe a load balancer would send."""

import http.client
import json
import random
import threading
import time
import urllib.parse

import psycopg

WORDS = ["graph", "neural", "kernel", "bandit", "privacy", "diffusion", "Wang", "Rezaei", "Müller", "regret"]


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


def probe_loop(port: int, stop: threading.Event, probes: list, lock: threading.Lock, every: float = 0.5) -> None:
    """GET /healthz every half second on a fresh connection, as a load balancer asks."""
    while not stop.is_set():
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            response = conn.getresponse()
            body = response.read()
            code = response.status
            try:
                answer = json.loads(body)
            except ValueError:
                answer = {}
            state = answer.get("status", "?")
            parts = [f"{alias} {value}" for alias, value in answer.get("databases", {}).items()]
            detail = ", ".join([*parts, f"cache {answer.get('cache')}"])
        except (OSError, http.client.HTTPException) as error:
            code, state, detail = f"error: {type(error).__name__}", "", ""
        finally:
            conn.close()
        with lock:
            probes.append((started, time.monotonic() - started, code, state, detail))
        stop.wait(every)
