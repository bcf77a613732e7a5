"""export_curation: every curation event as a JSON line, its author rows named by source keys."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import TestCase

from authors.models import CurationEvent
from tests.factories import make_author


class ExportCurationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        curator = User.objects.create_user("curator", is_staff=True)
        cls.a = make_author("Keivan Rezaei", key="Keivan Rezaei")
        cls.b = make_author("Keivan Rezaei 0002", key="Keivan Rezaei 0002")
        cls.merge = CurationEvent.objects.create(
            action=CurationEvent.Action.MERGE,
            curator=curator,
            summary="Merged Keivan Rezaei 0002 into Keivan Rezaei",
            target_type="author",
            target_id=cls.a.pk,
            data={"target": cls.a.pk, "sources": [cls.b.pk]},
        )
        cls.merge.authors.set([cls.a, cls.b])
        CurationEvent.objects.create(action=CurationEvent.Action.EDIT, summary="Edited a venue")

    def export(self, *args) -> list[dict]:
        out = StringIO()
        call_command("export_curation", "-", *args, stdout=out)
        return [json.loads(line) for line in out.getvalue().splitlines()]

    def test_it_writes_every_event_oldest_first(self):
        events = self.export()
        self.assertEqual([e["action"] for e in events], ["merge", "edit"])
        merge = events[0]
        self.assertEqual(merge["curator"], "curator")
        self.assertEqual(merge["data"], {"target": self.a.pk, "sources": [self.b.pk]})
        self.assertIsNone(events[1]["curator"])

    def test_it_names_author_rows_by_their_source_keys(self):
        authors = self.export()[0]["authors"]
        self.assertEqual(authors[str(self.a.pk)], [["test", "Keivan Rezaei"]])
        self.assertEqual(authors[str(self.b.pk)], [["test", "Keivan Rezaei 0002"]])

    def test_it_writes_a_file_with_a_constant_number_of_queries(self):
        path = Path(tempfile.mkdtemp()) / "curation.jsonl"
        # events + curator (joined), authors, author keys: one query each, however many events.
        with self.assertNumQueries(3):
            call_command("export_curation", str(path), stderr=StringIO())
        self.assertEqual(len(path.read_text().splitlines()), 2)

    def test_it_filters_by_date_and_refuses_a_bad_one(self):
        self.assertEqual(self.export("--since", "2999-01-01"), [])
        with self.assertRaises(CommandError):
            self.export("--since", "yesterday")
