"""A replica that lags the primary never serves, nor leaves cached, a page older than the last
curation (issue 22, item 3), on a real streaming pair (tests/streaming_pair.py) with Redis.

The site runs in a child process whose primary and replica are the pair's, so that the router's
"primary" is a server with a standby (the test database has none). The child merges two rows while
the replica's replay is paused, as a lagging replica would be, and reports what anonymous visitors saw.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.gates import on_postgresql
from tests.streaming_pair import StreamingPair, available, free_port

ROOT = Path(__file__).resolve().parent.parent

unavailable = available() or (None if shutil.which("redis-server") else "no redis-server")
pytestmark = [
    pytest.mark.skipif(not on_postgresql(), reason="replicas are PostgreSQL servers"),
    pytest.mark.skipif(unavailable is not None, reason=unavailable or ""),
]

SCENARIO = r"""
import json, os
import django
django.setup()
import psycopg
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connections
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from authors.models import Author, NameCluster
from authors.curation.merge import author_merge
from tests.gates import on_postgresql
from tests.streaming_pair import wait_replayed

REPLICA = os.environ["PAIR_REPLICA_URL"]
PRIMARY = os.environ["DATABASE_URL"]

def replay(paused):
    with psycopg.connect(REPLICA, autocommit=True) as replica:
        replica.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")

def visit(url):
    with CaptureQueriesContext(connections["replica1"]) as replica_queries:
        response = Client().get(url, secure=True)
    page_queries = [q for q in replica_queries.captured_queries if "pg_last_wal_replay_lsn" not in q["sql"]]
    return {"status": response.status_code, "location": response.get("Location"),
            "html": response.content.decode() if response.status_code == 200 else "",
            "replica_queries": len(page_queries)}

call_command("migrate", verbosity=0)
call_command("import_papers", "sample_data/keivan-rezaei.jsonl", verbosity=0)
cluster = NameCluster.objects.get(slug="keivan-rezaei")
target, source = Author.objects.active().filter(cluster=cluster).order_by("pk")[:2]
curator = User.objects.create_user("curator", is_staff=True)
wait_replayed(PRIMARY, REPLICA)
seen = {"cluster_url": cluster.get_absolute_url(), "source_url": source.get_absolute_url(),
        "target_url": target.get_absolute_url()}
with override_settings(PAGE_CACHE_SECONDS=300):
    seen["before"] = visit(cluster.get_absolute_url())
    replay(paused=True)
    author_merge(target=target, sources=[source], curator=curator)
    seen["lagging_cluster"] = visit(cluster.get_absolute_url())
    seen["lagging_source"] = visit(source.get_absolute_url())
    seen["lagging_cluster_again"] = visit(cluster.get_absolute_url())
    replay(paused=False)
    wait_replayed(PRIMARY, REPLICA)
    seen["caught_up_target"] = visit(target.get_absolute_url())
print("SCENARIO " + json.dumps(seen))
"""


@pytest.fixture(scope="module")
def scenario():
    """Runs the scenario once on a new pair and a Redis of its own; what the visitors saw."""
    redis_port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        with StreamingPair() as pair:
            env = {
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "arrow_site.test_settings",
                "DJANGO_ALLOWED_HOSTS": "testserver",
                "DATABASE_URL": pair.primary_url,
                "DATABASE_REPLICA_URLS": pair.replica_url,
                "PAIR_REPLICA_URL": pair.replica_url,
                "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            }
            child = subprocess.run(
                [sys.executable, "-c", SCENARIO], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
            )
            assert child.returncode == 0, child.stderr[-3000:]
            line = next(line for line in child.stdout.splitlines() if line.startswith("SCENARIO "))
            seen = json.loads(line.removeprefix("SCENARIO "))
        return {**seen, "pair_root": str(pair.root)}
    finally:
        redis.send_signal(signal.SIGTERM)
        redis.wait(timeout=10)


def test_pages_come_from_the_replica_while_it_is_caught_up(scenario):
    before = scenario["before"]
    assert before["status"] == 200
    assert scenario["source_url"] in before["html"]  # both rows listed before the merge
    assert before["replica_queries"] > 0


def test_a_lagging_replica_serves_no_page_older_than_the_merge(scenario):
    lagging = scenario["lagging_cluster"]
    assert lagging["status"] == 200
    assert scenario["source_url"] not in lagging["html"]
    assert lagging["replica_queries"] == 0  # built on the primary: the replica has not replayed the merge
    assert scenario["lagging_source"]["status"] == 301
    assert scenario["lagging_source"]["location"] == scenario["target_url"]


def test_the_page_cached_after_the_merge_is_the_merged_one(scenario):
    again = scenario["lagging_cluster_again"]
    assert again["status"] == 200
    assert scenario["source_url"] not in again["html"]
    assert again["replica_queries"] == 0


def test_the_replica_serves_again_once_it_has_replayed_the_merge(scenario):
    caught_up = scenario["caught_up_target"]
    assert caught_up["status"] == 200
    assert caught_up["replica_queries"] > 0


def test_the_pair_is_gone_afterwards(scenario):
    assert not Path(scenario["pair_root"]).exists()
