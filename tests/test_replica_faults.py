"""A replica that does not answer (nothing listens on its port): its reads go to the primary, no
page fails, and /healthz keeps the host in the load balancer, degraded (issue 22, item 1)."""

import time
import unittest

from django.db import connection
from django.test import TransactionTestCase, override_settings

from arrow_site.db_router import REPLICA_OUTAGES, primary_pinned
from papers.models import Venue
from tests.extra_databases import ExtraDatabaseMixin

DEAD = "replica_dead"


@unittest.skipUnless(connection.vendor == "postgresql", "replicas are PostgreSQL databases")
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
