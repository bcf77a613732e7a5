"""author_merge: authorships, keys, tombstones, ORCID and variants, counts, the event."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import TestCase

from authors.curation.merge import author_merge
from authors.models import Author, AuthorKey, CurationEvent, NameCluster
from papers.models import Authorship
from tests.factories import make_author, make_paper


class AuthorMergeTests(TestCase):
    def setUp(self):
        self.curator = get_user_model().objects.create_user("cura", password="x")
        self.a = make_author("Keivan Rezaei", key="ka")
        self.b = make_author("Keivan Rezaei", key="kb")
        self.c = make_author("K. Rezaei", key="kc")
        self.p1 = make_paper([self.a])
        self.p2 = make_paper([self.b])
        self.p3 = make_paper([self.c, make_author("Someone Else")])

    def test_it_moves_authorships_keys_and_leaves_a_tombstone(self):
        survivor = author_merge(target=self.a, sources=[self.b], curator=self.curator)

        self.assertEqual(survivor, self.a)
        self.b.refresh_from_db()
        self.assertEqual(self.b.merged_into, self.a)
        self.assertEqual(
            set(Authorship.objects.filter(author=self.a).values_list("paper", flat=True)), {self.p1.pk, self.p2.pk}
        )
        self.assertEqual(set(AuthorKey.objects.filter(author=self.a).values_list("key", flat=True)), {"ka", "kb"})
        self.assertEqual((survivor.paper_count, self.b.paper_count), (2, 0))
        cluster = NameCluster.objects.get(key="keivan rezaei")
        self.assertEqual((cluster.author_count, cluster.paper_count), (1, 2))

    def test_a_three_way_merge_across_clusters(self):
        author_merge(target=self.a, sources=[self.b, self.c], curator=self.curator)

        self.a.refresh_from_db()
        self.assertEqual(self.a.paper_count, 3)
        self.assertEqual(Author.objects.filter(merged_into=self.a).count(), 2)
        self.assertEqual(self.a.name_variants, ["K. Rezaei"])
        other = NameCluster.objects.get(key="k. rezaei")
        self.assertEqual((other.author_count, other.paper_count), (0, 0))

    def test_merging_the_survivor_later_keeps_redirects_one_hop(self):
        author_merge(target=self.a, sources=[self.b], curator=self.curator)

        author_merge(target=self.c, sources=[self.a], curator=self.curator)

        self.assertEqual(
            dict(Author.objects.filter(pk__in=[self.a.pk, self.b.pk]).values_list("pk", "merged_into")),
            {self.a.pk: self.c.pk, self.b.pk: self.c.pk},
        )
        self.assertEqual(Author.objects.get(pk=self.c.pk).paper_count, 3)

    def test_a_merged_row_cannot_be_merged_again(self):
        author_merge(target=self.a, sources=[self.b], curator=self.curator)

        with self.assertRaisesMessage(ValidationError, "Already merged"):
            author_merge(target=self.c, sources=[self.b], curator=self.curator)
        with self.assertRaisesMessage(ValidationError, "Already merged"):
            author_merge(target=self.b, sources=[self.c], curator=self.curator)
        self.assertEqual(CurationEvent.objects.count(), 1)

    def test_the_target_cannot_be_a_source(self):
        with self.assertRaises(ValidationError):
            author_merge(target=self.a, sources=[self.a], curator=self.curator)
        with self.assertRaises(ValidationError):
            author_merge(target=self.a, sources=[], curator=self.curator)

    def test_both_rows_on_one_paper_keep_one_authorship_and_say_so(self):
        shared = make_paper([self.b, make_author("Middle Author"), self.a])

        author_merge(target=self.a, sources=[self.b], curator=self.curator)

        kept = Authorship.objects.filter(paper=shared).order_by("position")
        self.assertEqual([(a.position, a.author_id) for a in kept][0], (1, self.a.pk))
        self.assertEqual(kept.count(), 2)
        self.assertTrue(kept.get(position=1).curated)
        event = CurationEvent.objects.get()
        self.assertEqual(event.data["duplicates"], [shared.pk])
        self.assertIn("one authorship kept", event.summary)
        self.assertEqual(Author.objects.get(pk=self.a.pk).paper_count, 3)

    def test_it_fills_an_empty_orcid_and_records_a_conflict(self):
        Author.objects.filter(pk=self.b.pk).update(orcid="0000-0002-1825-0097")
        Author.objects.filter(pk=self.c.pk).update(orcid="0000-0001-5109-3700")

        survivor = author_merge(target=self.a, sources=[self.b, self.c], curator=self.curator)

        self.assertEqual(survivor.orcid, "0000-0002-1825-0097")
        event = CurationEvent.objects.get()
        self.assertEqual(event.data["orcid_conflicts"], [{"author": self.c.pk, "orcid": "0000-0001-5109-3700"}])

    def test_it_writes_one_event_naming_every_row(self):
        author_merge(target=self.a, sources=[self.b, self.c], curator=self.curator)

        event = CurationEvent.objects.get()
        self.assertEqual(
            (event.action, event.curator, event.target_type, event.target_id),
            ("merge", self.curator, "author", self.a.pk),
        )
        self.assertEqual(set(event.authors.values_list("pk", flat=True)), {self.a.pk, self.b.pk, self.c.pk})
        self.assertEqual(list(self.b.curation_events.all()), [event])
