"""curation_undo: exact restores of merges and splits, dependencies, redo."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import TestCase

from authors.curation.merge import author_merge
from authors.curation.split import author_split
from authors.curation.undo import curation_undo, curation_undo_problems
from authors.models import Author, AuthorKey, CurationEvent, NameCluster
from papers.models import Authorship
from tests.factories import make_author, make_paper


def snapshot():
    """Everything a merge or split may touch, to compare before and after an undo."""
    return {
        "authors": list(
            Author.objects.order_by("pk").values_list(
                "pk", "merged_into", "orcid", "name_variants", "paper_count", "cluster"
            )
        ),
        "authorships": list(
            Authorship.objects.order_by("pk").values_list(
                "pk", "paper", "author", "position", "printed_name", "curated"
            )
        ),
        "keys": list(AuthorKey.objects.order_by("pk").values_list("pk", "author")),
        "clusters": list(NameCluster.objects.order_by("pk").values_list("pk", "paper_count", "author_count")),
    }


class UndoTests(TestCase):
    def setUp(self):
        self.curator = get_user_model().objects.create_user("cura", password="x")
        self.a = make_author("Keivan Rezaei", key="ka")
        self.b = make_author("Keivan Rezaei", key="kb", orcid="0000-0002-1825-0097")
        self.c = make_author("K. Rezaei", key="kc")
        make_paper([self.a, make_author("Co Author")])
        make_paper([self.b])
        make_paper([self.b, self.a])  # both on one paper: the merge drops one authorship
        make_paper([self.c])

    def test_undo_of_a_three_way_merge_restores_everything(self):
        before = snapshot()
        author_merge(target=self.a, sources=[self.b, self.c], curator=self.curator)
        merge = CurationEvent.objects.get()

        undo = curation_undo(event=merge, curator=self.curator)

        self.assertEqual(snapshot(), before)
        merge.refresh_from_db()
        self.assertEqual(merge.undone_by, undo)
        self.assertEqual(undo.action, "undo")
        self.assertEqual(set(undo.authors.values_list("pk", flat=True)), {self.a.pk, self.b.pk, self.c.pk})

    def test_undo_of_a_merge_of_a_merged_row_restores_the_older_redirect(self):
        author_merge(target=self.a, sources=[self.b], curator=self.curator)
        before = snapshot()
        author_merge(target=self.c, sources=[self.a], curator=self.curator)
        self.assertEqual(Author.objects.get(pk=self.b.pk).merged_into_id, self.c.pk)

        curation_undo(event=CurationEvent.objects.get(action="merge", target_id=self.c.pk), curator=self.curator)

        self.assertEqual(snapshot(), before)
        self.assertEqual(Author.objects.get(pk=self.b.pk).merged_into_id, self.a.pk)

    def test_undo_of_a_split_into_a_new_row_leaves_a_redirect(self):
        paper_ids = list(Authorship.objects.filter(author=self.b).values_list("paper", flat=True))
        before = snapshot()
        new = author_split(author=self.b, paper_ids=paper_ids[:1], curator=self.curator)

        curation_undo(event=CurationEvent.objects.get(), curator=self.curator)

        after = snapshot()
        new_row = next(row for row in after["authors"] if row[0] == new.pk)
        self.assertEqual(new_row[1], self.b.pk)  # a tombstone of the row it came from
        after["authors"].remove(new_row)
        self.assertEqual(after, before)

    def test_undo_after_undo_redoes_and_can_be_undone_again(self):
        before = snapshot()
        author_merge(target=self.a, sources=[self.b], curator=self.curator)
        merged = snapshot()
        undo = curation_undo(event=CurationEvent.objects.get(), curator=self.curator)

        redo = curation_undo(event=undo, curator=self.curator)

        self.assertEqual(redo.action, "merge")
        self.assertIn("Redo of", redo.summary)
        self.assertEqual(snapshot(), merged)
        undo.refresh_from_db()
        self.assertEqual(undo.undone_by, redo)
        curation_undo(event=redo, curator=self.curator)
        self.assertEqual(snapshot(), before)

    def test_split_undo_redo_reuses_the_same_row(self):
        paper_id = Authorship.objects.filter(author=self.b).values_list("paper", flat=True).first()
        new = author_split(author=self.b, paper_ids=[paper_id], curator=self.curator)
        split_state = snapshot()
        undo = curation_undo(event=CurationEvent.objects.get(), curator=self.curator)

        redo = curation_undo(event=undo, curator=self.curator)

        self.assertEqual(redo.data["into"], new.pk)
        self.assertEqual(snapshot(), split_state)
        curation_undo(event=redo, curator=self.curator)
        self.assertEqual(Author.objects.get(pk=new.pk).merged_into_id, self.b.pk)

    def test_a_later_event_on_the_same_rows_blocks_undo_until_it_is_undone(self):
        author_merge(target=self.a, sources=[self.b], curator=self.curator)
        first = CurationEvent.objects.get()
        paper_id = Authorship.objects.filter(author=self.a).values_list("paper", flat=True).first()
        author_split(author=self.a, paper_ids=[paper_id], curator=self.curator)
        split = CurationEvent.objects.get(action="split")

        with self.assertRaisesMessage(ValidationError, f"later event #{split.pk}"):
            curation_undo(event=first, curator=self.curator)

        curation_undo(event=split, curator=self.curator)
        curation_undo(event=first, curator=self.curator)
        self.assertIsNone(Author.objects.get(pk=self.b.pk).merged_into_id)

    def test_an_event_is_undone_only_once(self):
        author_merge(target=self.a, sources=[self.b], curator=self.curator)
        merge = CurationEvent.objects.get()
        undo = curation_undo(event=merge, curator=self.curator)

        merge.refresh_from_db()
        with self.assertRaisesMessage(ValidationError, f"already undone by event #{undo.pk}"):
            curation_undo(event=merge, curator=self.curator)

    def test_a_changed_authorship_blocks_undo_with_the_reason(self):
        author_merge(target=self.a, sources=[self.b], curator=self.curator)
        merge = CurationEvent.objects.get()
        moved_id = merge.data["moved"][0][0]
        Authorship.objects.filter(pk=moved_id).update(author=self.c)

        problems = curation_undo_problems(event=merge)

        self.assertEqual(len(problems), 1)
        self.assertIn("edited, re-imported or removed since", problems[0])
        with self.assertRaises(ValidationError):
            curation_undo(event=merge, curator=self.curator)
        self.assertEqual(Author.objects.get(pk=self.b.pk).merged_into_id, self.a.pk)

    def test_an_unrelated_later_event_does_not_block(self):
        author_merge(target=self.a, sources=[self.b], curator=self.curator)
        first = CurationEvent.objects.get()
        x, y = make_author("X Person"), make_author("Y Person")
        author_merge(target=x, sources=[y], curator=self.curator)

        self.assertEqual(curation_undo_problems(event=first), [])
