"""schemathesis runs every operation of /api/openapi.json against the app, in-process.

For each operation it sends generated requests (valid ones, and invalid ones that must be refused
with a 4xx) and checks each answer: no server error, a documented status and content type, a body
that matches the schema. Generated ids and slugs mostly miss, so every operation is also run with
the real ids of the sample data (and a merged row, for the redirects).
"""

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import TestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from authors.curation.merge import author_merge
from authors.models import Author
from papers.models import Paper
from tests.pages_data import import_sample

# Enough to reach each parameter a few times; the whole module stays well under a minute.
MAX_EXAMPLES = 30


class SchemaConformanceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cluster = import_sample()
        cls.paper = Paper.objects.in_cluster(cluster).first()
        survivor, tombstone = Author.objects.filter(cluster=cluster).order_by("-paper_count", "pk")[:2]
        author_merge(target=survivor, sources=[tombstone], curator=None)
        # Path parameters that exist, by operation path: a merged row too, for the redirects.
        authors = [{"id": survivor.pk}, {"id": tombstone.pk}]
        cls.real_path_parameters = {
            "/api/papers/{id}/": [{"id": cls.paper.pk}],
            "/api/authors/{id}/": authors,
            "/api/authors/{id}/papers/": authors,
            "/api/clusters/{slug}/": [{"slug": cluster.slug}],
            "/api/clusters/{slug}/authors/": [{"slug": cluster.slug}],
            "/api/clusters/{slug}/papers/": [{"slug": cluster.slug}],
        }

    def setUp(self):
        # Requests go through Django's real WSGI handler, which closes the database connection when a
        # request ends; that would end the test's transaction. Django's own test client unhooks the
        # same signal handler around each request.
        for signal in (request_started, request_finished):
            signal.disconnect(close_old_connections)
            self.addCleanup(signal.connect, close_old_connections)
        # No NUL characters: RejectNulMiddleware answers those for the whole site (under /api/ in the
        # API's JSON shape) before the API sees them (tests/test_api.py checks that it does).
        config = schemathesis.Config.from_dict({"generation": {"allow-x00": False}})
        self.schema = schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler(), config=config)

    def strategies(self, operation):
        """Generated requests, valid and invalid; then valid ones on real ids and slugs, on page 1
        of a list (a generated page number is nearly always past the end: a 404)."""
        yield operation.as_strategy(GenerationMode.POSITIVE)
        yield operation.as_strategy(GenerationMode.NEGATIVE)
        first_page = {"page": 1} if any(p.name == "page" for p in operation.query) else {}
        for parameters in self.real_path_parameters.get(operation.path, [{}]):
            yield operation.as_strategy(GenerationMode.POSITIVE, path_parameters=parameters, query=first_page)

    def test_every_operation_conforms_to_the_schema(self):
        operations = [result.ok() for result in self.schema.get_all_operations()]
        self.assertEqual(len(operations), 9)
        for operation in operations:
            with self.subTest(operation.label):

                @settings(
                    max_examples=MAX_EXAMPLES,
                    deadline=None,
                    database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                )
                @given(case=st.one_of(*self.strategies(operation)))
                def check(case):
                    case.call_and_validate()

                check()
