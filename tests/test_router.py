"""The primary/replica router on two real PostgreSQL databases.

The "replica" is a second database on the same server holding its own copy of the venue table, with
rows the primary does not have, so every read shows which database answered.
"""

from django.contrib.auth.models import AnonymousUser, User
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import RequestFactory, TransactionTestCase, override_settings

from arrow_site.db_router import primary_pinned
from arrow_site.middleware import PrimaryDatabaseMiddleware
from papers.models import Venue
from tests.extra_databases import ExtraDatabaseMixin
from tests.gates import postgresql_only

REPLICA = "replica_test"


@postgresql_only("replicas are PostgreSQL databases")
@override_settings(DATABASE_REPLICAS=[REPLICA])
class PrimaryReplicaRouterTests(ExtraDatabaseMixin, TransactionTestCase):
    extra_alias = REPLICA

    @classmethod
    def extra_changes(cls, default):
        return {"NAME": f"{default['NAME']}_replica"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.replica_name = connections.settings[REPLICA]["NAME"]
        with connections["default"].cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{cls.replica_name}"')
            cursor.execute(f'CREATE DATABASE "{cls.replica_name}"')
        with connections[REPLICA].schema_editor() as editor:
            editor.create_model(Venue)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        with connections["default"].cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{cls.replica_name}"')

    def setUp(self):
        # The test runner's flush skips the replica (no migrations there), so empty it here.
        replica = connections[REPLICA]
        with replica.cursor() as cursor:
            cursor.execute(f"TRUNCATE {replica.ops.quote_name(Venue._meta.db_table)}")
        Venue.objects.using(REPLICA).create(short_name="OnReplica", slug="on-replica")
        Venue.objects.using("default").create(short_name="OnPrimary", slug="on-primary")

    def names(self):
        return sorted(Venue.objects.values_list("short_name", flat=True))

    def test_reads_go_to_the_replica(self):
        with primary_pinned(False):
            self.assertEqual(router.db_for_read(Venue), REPLICA)
            self.assertEqual(self.names(), ["OnReplica"])

    def test_writes_go_to_the_primary_and_later_reads_follow_them(self):
        with primary_pinned(False):
            Venue.objects.create(short_name="Written", slug="written")
            # Read your own writes: after a write, this request or command reads the primary.
            self.assertEqual(self.names(), ["OnPrimary", "Written"])
        self.assertFalse(Venue.objects.using(REPLICA).filter(short_name="Written").exists())

    def test_reads_inside_a_transaction_go_to_the_primary(self):
        with primary_pinned(False), transaction.atomic():
            self.assertEqual(self.names(), ["OnPrimary"])
            self.assertEqual(
                list(Venue.objects.select_for_update().values_list("short_name", flat=True)), ["OnPrimary"]
            )

    def test_sessions_and_users_are_always_read_from_the_primary(self):
        with primary_pinned(False):
            self.assertEqual(router.db_for_read(User), "default")

    def test_migrations_never_run_on_a_replica(self):
        self.assertFalse(router.allow_migrate(REPLICA, "papers", model_name="venue"))
        self.assertTrue(router.allow_migrate("default", "papers", model_name="venue"))

    def test_the_admin_signed_in_users_and_writes_are_pinned_to_the_primary(self):
        middleware = PrimaryDatabaseMiddleware(lambda request: HttpResponse(",".join(self.names())))
        factory = RequestFactory()
        curator = User.objects.create_user("curator", is_staff=True)
        cases = [
            (factory.get("/papers/"), AnonymousUser(), "OnReplica"),
            (factory.get("/admin/papers/venue/"), AnonymousUser(), "OnPrimary"),
            (factory.get("/papers/"), curator, "OnPrimary"),
            (factory.post("/search/"), AnonymousUser(), "OnPrimary"),
        ]
        for request, user, expected in cases:
            with self.subTest(path=request.path, method=request.method, user=str(user)), primary_pinned(False):
                request.user = user
                self.assertEqual(middleware(request).content.decode(), expected)
