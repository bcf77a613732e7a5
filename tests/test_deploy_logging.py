"""Structured logging: one JSON object per line, with no request headers or bodies in it."""

import json
import logging
import sys

from django.test import RequestFactory, SimpleTestCase

from arrow_site.jsonlog import JsonFormatter


def record(msg, *args, exc_info=None, **extra):
    rec = logging.LogRecord("arrow.test", logging.WARNING, __file__, 1, msg, args, exc_info)
    rec.__dict__.update(extra)
    return rec


class JsonFormatterTests(SimpleTestCase):
    def test_it_writes_one_json_object_per_line(self):
        line = JsonFormatter().format(record("imported %d papers\nin one go", 9, import_run=4))
        self.assertNotIn("\n", line)
        entry = json.loads(line)
        self.assertEqual(entry["level"], "WARNING")
        self.assertEqual(entry["logger"], "arrow.test")
        self.assertEqual(entry["message"], "imported 9 papers\nin one go")
        self.assertEqual(entry["import_run"], 4)
        self.assertRegex(entry["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$")

    def test_it_keeps_the_traceback(self):
        try:
            raise ValueError("bad record")
        except ValueError:
            line = JsonFormatter().format(record("failed", exc_info=sys.exc_info()))
        self.assertIn("ValueError: bad record", json.loads(line)["exception"])

    def test_it_logs_where_a_request_went_but_not_its_headers(self):
        request = RequestFactory().post(
            "/admin/login/", {"password": "hunter2"}, headers={"cookie": "sessionid=s3cret"}
        )
        entry = json.loads(JsonFormatter().format(record("Forbidden", request=request, status_code=403)))
        self.assertEqual((entry["method"], entry["path"], entry["status_code"]), ("POST", "/admin/login/", 403))
        self.assertNotIn("hunter2", json.dumps(entry))
        self.assertNotIn("s3cret", json.dumps(entry))

    def test_it_turns_gunicorn_access_lines_into_fields(self):
        rec = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(h)s", None, None)
        rec.args = {"m": "GET", "U": "/papers/", "q": "page=2", "s": "200", "B": "5120", "D": "12345", "h": "10.0.0.1"}
        entry = json.loads(JsonFormatter().format(rec))
        self.assertEqual((entry["method"], entry["path"], entry["status"]), ("GET", "/papers/", "200"))
        self.assertEqual(entry["duration_ms"], 12.3)
