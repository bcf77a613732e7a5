"""export_curation: every curation event as a JSON line, with the stable identities recorded when it
happened (source keys, provenance pairs, short names), from real merges, splits, edits and undos."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import TestCase

from authors.curation.edit import curation_edit
from authors.curation.merge import author_merge
from authors.curation.split import author_split
from authors.curation.undo import curation_undo
from papers.models import PaperSource
from tests.factories import make_author, make_paper, make_venue


class ExportCurationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.curator = User.objects.create_user("curator", is_staff=True)
        cls.a = make_author("Keivan Rezaei", key="Keivan Rezaei")
        cls.b = make_author("Keivan Rezaei 0002", key="Keivan Rezaei 0002")
        cls.p1 = make_paper([cls.a])
        cls.p2 = make_paper([cls.b])
        author_merge(target=cls.a, sources=[cls.b], curator=cls.curator)
        cls.new = author_split(author=cls.a, paper_ids=[cls.p2.pk], curator=None)
        cls.venue = make_venue(short_name="NIPS")
        cls.venue.short_name = "NeurIPS"
        cls.venue.save()
        curation_edit(obj=cls.venue, changes={"short_name": ("NIPS", "NeurIPS")}, curator=cls.curator)
        curation_undo(event=cls.new.curation_event, curator=cls.curator)

    def export(self, *args) -> list[dict]:
        out = StringIO()
        call_command("export_curation", "-", *args, stdout=out)
        return [json.loads(line) for line in out.getvalue().splitlines()]

    def test_it_writes_every_event_oldest_first(self):
        events = self.export()
        self.assertEqual([e["action"] for e in events], ["merge", "split", "edit", "undo"])
        merge = events[0]
        self.assertEqual(merge["curator"], "curator")
        self.assertEqual((merge["data"]["target"], merge["data"]["sources"]), (self.a.pk, [self.b.pk]))
        self.assertIsNone(events[1]["curator"])
        self.assertEqual(len({e["uid"] for e in events}), 4)
        self.assertEqual(events[3]["data"]["identity"], {"undoes": events[1]["uid"]})

    def test_it_names_author_rows_by_the_keys_they_had_at_the_time(self):
        merge = self.export()[0]
        # The merge moved b's key to a; the export still says which key b held.
        self.assertEqual(merge["authors"][str(self.a.pk)], [["test", "Keivan Rezaei"]])
        self.assertEqual(merge["authors"][str(self.b.pk)], [["test", "Keivan Rezaei 0002"]])
        identity = merge["data"]["identity"]
        self.assertEqual(identity["target"]["keys"], [["test", "Keivan Rezaei"]])
        self.assertEqual([s["keys"] for s in identity["sources"]], [[["test", "Keivan Rezaei 0002"]]])

    def test_a_split_names_papers_by_provenance_and_its_new_row_by_its_uid(self):
        split = self.export()[1]
        identity = split["data"]["identity"]
        source = PaperSource.objects.get(paper=self.p2)
        self.assertEqual([p["sources"] for p in identity["papers"]], [[[source.source, source.source_id]]])
        # a holds both keys now (b's came with the merge).
        self.assertEqual(identity["author"]["keys"], [["test", "Keivan Rezaei"], ["test", "Keivan Rezaei 0002"]])
        self.assertIsNone(identity["into"])
        self.assertEqual(split["authors"][str(self.new.pk)], [])

    def test_an_edit_names_its_target_as_it_was_called_before(self):
        edit = self.export()[2]["data"]["identity"]
        self.assertEqual(edit["model"], "papers.venue")
        self.assertEqual(edit["target"], {"id": self.venue.pk, "short_name": "NIPS"})
        self.assertEqual(edit["fields"], {"short_name": ["NIPS", "NeurIPS"]})

    def test_it_writes_a_file_with_a_constant_number_of_queries(self):
        path = Path(tempfile.mkdtemp()) / "curation.jsonl"
        # events + curator (joined), authors, author keys: one query each, however many events.
        with self.assertNumQueries(3):
            call_command("export_curation", str(path), stderr=StringIO())
        self.assertEqual(len(path.read_text().splitlines()), 4)

    def test_it_filters_by_date_and_refuses_a_bad_one(self):
        self.assertEqual(self.export("--since", "2999-01-01"), [])
        with self.assertRaises(CommandError):
            self.export("--since", "yesterday")
