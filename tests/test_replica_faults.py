"""A replica that does not answer (nothing listens on its port): its reads go to the primary, no
page fails, and /healthz keeps the host in the load balancer, degraded (issue 22, item 1)."""

import time

from django.db import connections
from django.db.backends.signals import connection_created
from django.test import TransactionTestCase, override_settings

from arrow_site.db_router import REPLICA_OUTAGES, primary_pinned
from papers.models import Venue
from tests.extra_databases import ExtraDatabaseMixin
from tests.gates import postgresql_only

DEAD = "replica_dead"


@postgresql_only("replicas are PostgreSQL databases")
@override_settings(DATABASE_REPLICAS=[DEAD])
class DeadReplicaTests(ExtraDatabaseMixin, TransactionTestCase):
    extra_alias = DEAD
    flush_extra = False  # nothing to flush, nothing to connect to

    @classmethod
    def extra_changes(cls, default):
        # Nothing listens on port 1: as if the replica were stopped.
        return {"PORT": "1", "OPTIONS": {**default.get("OPTIONS", {}), "connect_timeout": 2}}

    def setUp(self):
        REPLICA_OUTAGES.down_until.clear()
        self.addCleanup(REPLICA_OUTAGES.down_until.clear)
        Venue.objects.create(short_name="OnPrimary", slug="on-primary")

    def test_reads_go_to_the_primary_and_the_replica_is_not_asked_again_at_once(self):
        started = time.monotonic()
        # As an anonymous request reads (setUp's write pinned this thread to the primary).
        with primary_pinned(False):
            with self.assertLogs("arrow_site.db_router", "WARNING"):
                self.assertEqual(list(Venue.objects.values_list("short_name", flat=True)), ["OnPrimary"])
            with self.assertNoLogs("arrow_site.db_router", "WARNING"):
                self.assertEqual(Venue.objects.count(), 1)
        self.assertLess(time.monotonic() - started, 5)

    def test_public_pages_answer(self):
        with self.assertLogs("arrow_site.db_router", "WARNING"):
            response = self.client.get("/venues/")
        self.assertContains(response, "OnPrimary")

    def test_the_health_check_says_degraded_not_unavailable(self):
        with self.assertLogs("arrow_site.health", "WARNING"):
            response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        body = response.json()
        self.assertEqual(body["status"], "degraded")
        self.assertEqual(body["databases"], {"default": "ok", DEAD: "unavailable"})
        # Known down: the next probe does not wait for it again.
        with self.assertNoLogs("arrow_site.health", "WARNING"):
            self.assertEqual(self.client.get("/healthz").json()["databases"][DEAD], "unavailable")

    def test_it_is_tried_again_after_a_while(self):
        with primary_pinned(False):
            with self.assertLogs("arrow_site.db_router", "WARNING"):
                Venue.objects.count()
            REPLICA_OUTAGES.down_until[DEAD] = 0.0  # retry_seconds later
            with self.assertLogs("arrow_site.db_router", "WARNING"):
                Venue.objects.count()


DYING = "replica_dying"


@postgresql_only("replicas are PostgreSQL databases")
@override_settings(DATABASE_REPLICAS=[DYING])
class ReplicaDiesMidRequestTests(ExtraDatabaseMixin, TransactionTestCase):
    """The replica's server goes away while a page reads from it (bench/load.py saw this as a 500 when
    the replica was stopped under load): the page is read again from the primary."""

    extra_alias = DYING
    flush_extra = False  # the same database as the primary, through a connection of its own

    @classmethod
    def extra_changes(cls, default):
        return {}

    def setUp(self):
        REPLICA_OUTAGES.down_until.clear()
        self.addCleanup(REPLICA_OUTAGES.down_until.clear)
        Venue.objects.create(short_name="StillThere", slug="still-there")
        connection_created.connect(self.kill_at_once)
        self.addCleanup(connection_created.disconnect, self.kill_at_once)

    def kill_at_once(self, sender, connection, **kwargs):
        # As a stopped server does: the replica's backend ends just before the page's first query on
        # it (after the router's own check that the replica has replayed far enough).
        if connection.alias != DYING:
            return
        pid = connection.connection.info.backend_pid

        def terminate_first(execute, sql, params, many, context):
            if "pg_last_wal_replay_lsn" not in sql and connection.execute_wrappers:
                connection.execute_wrappers.clear()
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            return execute(sql, params, many, context)

        connection.execute_wrappers.append(terminate_first)

    def test_the_page_is_read_again_from_the_primary(self):
        with self.assertLogs("arrow_site.db_router", "WARNING") as logs:
            response = self.client.get("/venues/")
        self.assertContains(response, "StillThere")
        self.assertIn(DYING, "\n".join(logs.output))
        self.assertTrue(REPLICA_OUTAGES.is_down(DYING))

    def test_a_write_is_never_run_twice(self):
        # Only GET and HEAD are retried; a form post answers as it would have.
        response = self.client.post("/venues/")
        self.assertEqual(response.status_code, 405)
