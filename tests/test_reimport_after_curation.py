"""Imports never revert a curator: locked fields, edited author lists, merges and splits survive
re-imports of changed records (run through `import_papers` on small JSON Lines files)."""

import json
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.test import TestCase

from authors.curation.edit import curation_edit, paper_authorships_save
from authors.curation.merge import author_merge
from authors.curation.split import author_split
from authors.curation.undo import curation_undo
from authors.models import Author, AuthorKey
from papers.models import Authorship, Paper


class ReimportAfterCurationTests(TestCase):
    def setUp(self):
        tmp = TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = Path(tmp.name)
        self.runs = 0

    def record(self, n, *, authors=("a1", "a2"), **fields):
        names = {"a1": "Jun Wang", "a2": "Jun Wang", "x": "Ada Lovelace", "y": "Grace Hopper"}
        data = {
            "source": "dblp",
            "source_id": f"rec{n}",
            "type": "conference-paper",
            "title": f"Paper {n}",
            "year": 2020 + n,
            "authors": [{"name": names[key], "key": key} for key in authors],
        }
        data.update(fields)
        return data

    def run_import(self, *records):
        self.runs += 1
        path = self.dir / f"run{self.runs}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        call_command("import_papers", str(path), stdout=StringIO(), stderr=StringIO())

    def row(self, key) -> Author:
        return AuthorKey.objects.get(source="dblp", key=key).author

    def test_a_locked_field_survives_and_the_others_update(self):
        self.run_import(self.record(1, authors=("a1",)))
        paper = Paper.objects.get()
        paper.title = "Paper One (corrected)"
        paper.save()
        curation_edit(obj=paper, changes={"title": ("Paper 1", paper.title)}, curator=None)

        self.run_import(self.record(1, authors=("a1",), title="Paper 1 again", year=1999))

        paper.refresh_from_db()
        self.assertEqual((paper.title, paper.year), ("Paper One (corrected)", 1999))

    def test_an_unlocked_field_is_updated_again(self):
        self.run_import(self.record(1, authors=("a1",)))
        paper = Paper.objects.get()
        Paper.objects.filter(pk=paper.pk).update(title="Curated", locked_fields=["title"])
        curation_edit(obj=Paper.objects.get(), changes={}, unlock=["title"], curator=None)

        self.run_import(self.record(1, authors=("a1",), title="From the source"))

        self.assertEqual(Paper.objects.get().title, "From the source")

    def test_a_locked_empty_orcid_is_not_filled(self):
        self.run_import(self.record(1, authors=("a1",)))
        author = self.row("a1")
        curation_edit(obj=author, changes={"orcid": ("0000-0002-1825-0097", "")}, curator=None)

        self.run_import(
            self.record(2, authors=[]),
            {**self.record(3), "authors": [{"name": "Jun Wang", "key": "a1", "orcid": "0000-0002-1825-0097"}]},
        )

        self.assertEqual(Author.objects.get(pk=author.pk).orcid, "")

    def test_an_authorship_a_curator_removed_is_not_added_back(self):
        self.run_import(self.record(1, authors=("x", "y")))
        paper = Paper.objects.get()
        removed = paper.authorships.get(position=2)
        info = paper_authorships_save(paper=paper, saved=[], deleted=[removed])
        curation_edit(obj=paper, changes={}, authorships=info, curator=None)

        self.run_import(self.record(1, authors=("x", "y"), title="Retitled"))

        paper.refresh_from_db()
        self.assertEqual(paper.title, "Retitled")
        self.assertEqual(list(paper.authorships.values_list("printed_name", flat=True)), ["Ada Lovelace"])
        self.assertIn("authors", paper.locked_fields)

    def test_a_merge_is_not_undone_by_reimports(self):
        self.run_import(self.record(1, authors=("a1", "x")), self.record(2, authors=("a2", "y")))
        a1, a2 = self.row("a1"), self.row("a2")
        author_merge(target=a1, sources=[a2], curator=None)

        self.run_import(
            self.record(1, authors=("a1", "x"), title="New 1"),
            self.record(2, authors=("a2", "y"), title="New 2"),
            self.record(3, authors=("a2",)),
        )

        self.assertEqual(Author.objects.filter(name="Jun Wang", merged_into__isnull=True).count(), 1)
        self.assertFalse(Authorship.objects.filter(author=a2).exists())
        self.assertEqual(Author.objects.get(pk=a1.pk).paper_count, 3)

    def test_a_merge_that_dropped_a_duplicate_is_not_re_duplicated(self):
        self.run_import(self.record(1, authors=("a1", "x", "a2")))
        a1, a2 = self.row("a1"), self.row("a2")
        author_merge(target=a1, sources=[a2], curator=None)

        self.run_import(self.record(1, authors=("a1", "x", "a2"), title="Changed"))

        paper = Paper.objects.get()
        self.assertEqual(paper.title, "Changed")
        self.assertEqual(
            list(paper.authorships.order_by("position").values_list("author", flat=True)), [a1.pk, self.row("x").pk]
        )

    def test_a_split_is_not_undone_by_reimports(self):
        self.run_import(self.record(1, authors=("a1", "x")), self.record(2, authors=("a1", "y")))
        a1 = self.row("a1")
        second = Paper.objects.get(title="Paper 2")
        new = author_split(author=a1, paper_ids=[second.pk], curator=None)

        self.run_import(
            self.record(1, authors=("a1", "x"), title="New 1"),
            self.record(2, authors=("a1", "y"), title="New 2"),
            self.record(3, authors=("a1",)),
        )

        self.assertEqual(Authorship.objects.get(paper=second, position=1).author, new)
        self.assertEqual(Paper.objects.get(pk=second.pk).title, "New 2")
        # A new paper with the key goes to the row the key names: the original one.
        self.assertEqual(Authorship.objects.get(paper__title="Paper 3").author, a1)
        self.assertEqual((Author.objects.get(pk=a1.pk).paper_count, Author.objects.get(pk=new.pk).paper_count), (2, 1))

    def test_an_undone_merge_gives_imports_the_keys_back(self):
        self.run_import(self.record(1, authors=("a1",)), self.record(2, authors=("a2",)))
        a1, a2 = self.row("a1"), self.row("a2")
        merged = author_merge(target=a1, sources=[a2], curator=None)
        curation_undo(event=merged.curation_event, curator=None)

        self.run_import(self.record(3, authors=("a2",)))

        self.assertEqual(Authorship.objects.get(paper__title="Paper 3").author, a2)
