"""author_split and the co-author grouping that helps a curator choose."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import TestCase

from authors.curation.merge import author_merge
from authors.curation.paper_groups import author_paper_groups
from authors.curation.split import author_split
from authors.curation.undo import curation_undo
from authors.homonyms import next_homonym_number
from authors.models import Author, CurationEvent, NameCluster
from papers.models import Authorship
from tests.factories import make_author, make_paper


class AuthorSplitTests(TestCase):
    def setUp(self):
        self.curator = get_user_model().objects.create_user("cura", password="x")
        self.row = make_author("Jun Wang")
        self.alice, self.bob, self.carol, self.dan = (make_author(n) for n in ("Alice A", "Bob B", "Carol C", "Dan D"))
        # Person one writes with Alice and Bob; person two with Carol and Dan.
        self.one = [make_paper([self.row, self.alice]), make_paper([self.alice, self.row, self.bob])]
        self.two = [make_paper([self.carol, self.row]), make_paper([self.row, self.dan, self.carol])]

    def test_it_moves_papers_to_a_new_row_in_the_same_cluster(self):
        new = author_split(author=self.row, paper_ids=[p.pk for p in self.two], curator=self.curator)

        self.assertNotEqual(new.pk, self.row.pk)
        # Another person of the name: the name's first number (the row split from has none).
        self.assertEqual((new.name, new.homonym_number, new.cluster), ("Jun Wang", "0001", self.row.cluster))
        moved = Authorship.objects.filter(author=new)
        self.assertEqual(set(moved.values_list("paper", flat=True)), {p.pk for p in self.two})
        self.assertTrue(all(moved.values_list("curated", flat=True)))
        self.row.refresh_from_db()
        self.assertEqual((self.row.paper_count, new.paper_count), (2, 2))
        cluster = NameCluster.objects.get(pk=self.row.cluster_id)
        self.assertEqual((cluster.author_count, cluster.paper_count), (2, 4))

    def test_it_moves_papers_to_an_existing_row(self):
        other = make_author("Jun Wang 0002")

        into = author_split(author=self.row, paper_ids=[self.two[0].pk], curator=self.curator, into=other)

        self.assertEqual(into, other)
        self.assertEqual(Authorship.objects.get(paper=self.two[0], position=2).author, other)
        self.assertEqual(into.paper_count, 1)

    def test_it_writes_an_event_with_both_rows(self):
        new = author_split(author=self.row, paper_ids=[self.two[0].pk], curator=self.curator)

        event = CurationEvent.objects.get()
        self.assertEqual(event.action, "split")
        self.assertEqual(set(event.authors.values_list("pk", flat=True)), {self.row.pk, new.pk})
        self.assertTrue(event.data["created"])
        self.assertEqual(new.curation_event, event)

    def test_it_refuses_bad_requests(self):
        stranger = make_paper([self.alice])
        with self.assertRaisesMessage(ValidationError, "not on this row"):
            author_split(author=self.row, paper_ids=[stranger.pk], curator=self.curator)
        with self.assertRaisesMessage(ValidationError, "Tick at least one paper"):
            author_split(author=self.row, paper_ids=[], curator=self.curator)
        with self.assertRaisesMessage(ValidationError, "already an author"):
            author_split(author=self.row, paper_ids=[self.one[0].pk], curator=self.curator, into=self.alice)
        with self.assertRaises(ValidationError):
            author_split(author=self.row, paper_ids=[self.one[0].pk], curator=self.curator, into=self.row)
        author_merge(target=self.alice, sources=[self.bob], curator=self.curator)
        with self.assertRaisesMessage(ValidationError, "merged"):
            author_split(author=self.row, paper_ids=[self.two[0].pk], curator=self.curator, into=self.bob)

    def test_split_then_merge_back_restores_the_row(self):
        new = author_split(author=self.row, paper_ids=[p.pk for p in self.two], curator=self.curator)

        author_merge(target=self.row, sources=[new], curator=self.curator)

        self.row.refresh_from_db()
        self.assertEqual(self.row.paper_count, 4)
        self.assertEqual(Author.objects.get(pk=new.pk).merged_into, self.row)


class PaperGroupTests(TestCase):
    def test_two_people_show_as_two_groups(self):
        row = make_author("Jun Wang")
        alice, bob, carol = make_author("Alice A"), make_author("Bob B"), make_author("Carol C")
        p1 = make_paper([row, alice])
        p2 = make_paper([alice, bob, row])
        p3 = make_paper([bob, row])
        p4 = make_paper([carol, row])
        alone = make_paper([row])

        with self.assertNumQueries(2):  # the papers with venues; the co-authorships
            groups = author_paper_groups(author=row)

        self.assertEqual([{p.pk for p in g} for g in groups], [{p1.pk, p2.pk, p3.pk}, {p4.pk}, {alone.pk}])
        by_pk = {p.pk: p for g in groups for p in g}
        self.assertEqual(by_pk[p2.pk].coauthor_names, ["Alice A", "Bob B"])
        self.assertEqual(by_pk[alone.pk].coauthor_names, [])


class SplitHomonymNumberTests(TestCase):
    """A split's new row takes the name's next number for good (issue 24): never one a row, a
    tombstone or a source key of the name has had, kept through undo and redo."""

    def setUp(self):
        self.curator = get_user_model().objects.create_user("cura", password="x")
        self.row = make_author("Jun Wang 0002")
        self.papers = [make_paper([self.row]) for _ in range(4)]

    def split(self, *papers):
        return author_split(author=self.row, paper_ids=[p.pk for p in papers], curator=self.curator)

    def test_the_number_is_one_above_the_highest_ever_used(self):
        tombstone = make_author("Jun Wang 0005")
        author_merge(target=self.row, sources=[tombstone], curator=self.curator)

        self.assertEqual(self.split(self.papers[0]).full_name, "Jun Wang 0006")
        self.assertEqual(self.split(self.papers[1]).full_name, "Jun Wang 0007")

    def test_undo_keeps_the_number_on_the_tombstone_and_redo_brings_it_back(self):
        new = self.split(self.papers[0])
        undo = curation_undo(event=new.curation_event, curator=self.curator)
        new.refresh_from_db()
        self.assertEqual((new.homonym_number, new.merged_into_id is not None), ("0003", True))

        # The undone row's number is not given out again.
        self.assertEqual(next_homonym_number("Jun Wang"), "0004")

        curation_undo(event=undo, curator=self.curator)  # redo
        new.refresh_from_db()
        self.assertEqual((new.full_name, new.merged_into_id), ("Jun Wang 0003", None))
        moved = Authorship.objects.filter(author=new).values_list("paper", flat=True)
        self.assertEqual(set(moved), {self.papers[0].pk})
        self.assertEqual(self.split(self.papers[1]).homonym_number, "0004")
