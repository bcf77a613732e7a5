"""GET /healthz: 200 when every database answers, 503 when one does not, and back by itself."""

import json

from django.db import connections
from django.test import TestCase, TransactionTestCase

from tests.gates import postgresql_only


class HealthzTests(TestCase):
    def test_it_answers_200_when_the_database_answers(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(json.loads(response.content), {"status": "ok", "databases": {"default": "ok"}, "cache": "ok"})
        self.assertIn("no-cache", response["Cache-Control"])

    def test_it_refuses_writes(self):
        self.assertEqual(self.client.post("/healthz").status_code, 405)


@postgresql_only("needs a database server to lose (SQLite is a file in this process)")
class HealthzOutageTests(TransactionTestCase):
    def test_it_answers_503_while_the_database_is_unreachable_then_recovers(self):
        settings_dict = connections["default"].settings_dict
        port = settings_dict["PORT"]
        connections["default"].close()
        settings_dict["PORT"] = "1"  # nothing listens there: as if PostgreSQL were down
        try:
            with self.assertLogs("arrow_site.health", "WARNING"):
                response = self.client.get("/healthz")
        finally:
            settings_dict["PORT"] = port
        self.assertEqual(response.status_code, 503)
        self.assertEqual(
            json.loads(response.content),
            {"status": "unavailable", "databases": {"default": "unavailable"}, "cache": "ok"},
        )
        # The reason goes to the log, not to whoever asked.
        self.assertNotIn("refused", response.content.decode())
        self.assertEqual(self.client.get("/healthz").status_code, 200)

    def test_it_reports_a_killed_connection_then_recovers_by_itself(self):
        self.assertEqual(self.client.get("/healthz").status_code, 200)
        # Kill our own server process, as a PostgreSQL restart would.
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        killer = connections.create_connection("default")
        try:
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            killer.close()
        with self.assertLogs("arrow_site.health", "WARNING"):
            self.assertEqual(self.client.get("/healthz").status_code, 503)
        self.assertEqual(self.client.get("/healthz").status_code, 200)
