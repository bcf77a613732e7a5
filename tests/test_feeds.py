"""Atom feeds of new papers per author row and per cluster."""

from xml.etree import ElementTree

from django.test import TestCase
from django.urls import reverse

from authors.models import Author
from tests.factories import make_author, make_paper
from tests.pages_data import HOSTILE, import_sample, make_big_cluster

ATOM = "{http://www.w3.org/2005/Atom}"


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cluster = import_sample()
        cls.row = Author.objects.filter(cluster=cls.cluster).order_by("-paper_count").first()
        cls.feeds = {
            "author": reverse("authors:feed", kwargs={"pk": cls.row.pk}),
            "cluster": reverse("authors:cluster-feed", kwargs={"slug": cls.cluster.slug}),
        }

    def parse(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))
        return ElementTree.fromstring(response.content)  # noqa: S314 - our own output

    def test_it_is_valid_atom_with_one_entry_per_paper(self):
        expected = {"author": self.row.paper_count, "cluster": self.cluster.paper_count}
        for label, url in self.feeds.items():
            with self.subTest(label):
                root = self.parse(url)
                self.assertEqual(root.tag, f"{ATOM}feed")
                entries = root.findall(f"{ATOM}entry")
                self.assertEqual(len(entries), expected[label])
                self.assertTrue(all(e.find(f"{ATOM}title").text for e in entries))
                self.assertTrue(all(e.find(f"{ATOM}link").get("href").startswith("http") for e in entries))

    def test_the_newest_added_paper_comes_first_and_hostile_titles_stay_text(self):
        paper = make_paper([self.row], title=HOSTILE)
        first = self.parse(self.feeds["author"]).find(f"{ATOM}entry")
        self.assertEqual(first.find(f"{ATOM}title").text, HOSTILE)
        self.assertIn(paper.get_absolute_url(), first.find(f"{ATOM}link").get("href"))

    def test_the_pages_link_their_feed_as_alternate(self):
        pages = {"author": self.row.get_absolute_url(), "cluster": self.cluster.get_absolute_url()}
        for label, page in pages.items():
            with self.subTest(label):
                html = self.client.get(page).content.decode()
                self.assertIn('rel="alternate" type="application/atom+xml"', html)
                self.assertIn(f'href="{self.feeds[label]}"', html)

    def test_a_merged_row_redirects_and_unknown_ones_are_404(self):
        tombstone = make_author("Keivan Rezaei")
        Author.objects.filter(pk=tombstone.pk).update(merged_into=self.row)
        response = self.client.get(reverse("authors:feed", kwargs={"pk": tombstone.pk}))
        self.assertEqual((response.status_code, response["Location"]), (301, self.feeds["author"]))
        self.assertEqual(self.client.get(reverse("authors:feed", kwargs={"pk": 0})).status_code, 404)
        self.assertEqual(self.client.get(reverse("authors:cluster-feed", kwargs={"slug": "x"})).status_code, 404)

    def test_an_abstract_is_text_in_the_summary_not_markup(self):
        # Atom's summary is type="html": the abstract must arrive escaped (issue 22, item 4).
        make_paper(
            [self.row], title="Hostile abstract", abstract=f'{HOSTILE} <a href="javascript:alert(1)">x</a> *kept*'
        )
        entry = self.parse(self.feeds["author"]).find(f"{ATOM}entry")
        summary = entry.find(f"{ATOM}summary")
        self.assertEqual(summary.get("type"), "html")
        self.assertNotIn("<script", summary.text)
        self.assertNotIn("<a ", summary.text)
        self.assertIn("&lt;script&gt;", summary.text)
        self.assertIn("<em>kept</em>", summary.text)  # our own emphasis, as the pages show it


class FeedQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.small = import_sample()
        cls.big = make_big_cluster(300)

    def test_the_query_count_does_not_grow_with_the_papers(self):
        for cluster in (self.small, self.big):
            row = Author.objects.filter(cluster=cluster).order_by("-paper_count").first()
            with self.subTest(cluster.slug), self.assertNumQueries(3):
                self.client.get(reverse("authors:cluster-feed", kwargs={"slug": cluster.slug}))
            # The row is read twice: once for the merge check, once as the feed's object.
            with self.subTest(row.pk), self.assertNumQueries(4):
                self.client.get(reverse("authors:feed", kwargs={"pk": row.pk}))
