"""Download views: BibTeX, RIS and CSL-JSON for a paper, an author row and a cluster."""

import json

import bibtexparser
from django.test import TestCase
from django.urls import reverse

from authors.models import Author
from tests.factories import make_author, make_paper
from tests.pages_data import import_sample, make_big_cluster


class ExportViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cluster = import_sample()
        cls.row = Author.objects.filter(cluster=cls.cluster).order_by("-paper_count").first()
        cls.paper = cls.row.authorships.first().paper

    def urls(self, fmt):
        return {
            "paper": reverse("papers:export", kwargs={"pk": self.paper.pk, "fmt": fmt}),
            "author": reverse("authors:export", kwargs={"pk": self.row.pk, "fmt": fmt}),
            "cluster": reverse("authors:cluster-export", kwargs={"slug": self.cluster.slug, "fmt": fmt}),
        }

    def test_it_serves_each_format_with_its_content_type_and_filename(self):
        types = {
            "bib": "text/x-bibtex; charset=utf-8",
            "ris": "application/x-research-info-systems; charset=utf-8",
            "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
        }
        for fmt, content_type in types.items():
            for label, url in self.urls(fmt).items():
                with self.subTest(fmt=fmt, page=label):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(response["Content-Type"], content_type)
                    self.assertRegex(
                        response["Content-Disposition"], rf'^attachment; filename="arrow-{label}-[\w-]+\.{fmt}"$'
                    )

    def test_the_bibtex_parses_with_one_entry_per_paper(self):
        response = self.client.get(self.urls("bib")["cluster"])
        library = bibtexparser.parse_string(response.content.decode())
        self.assertEqual(len(library.entries), self.cluster.paper_count)
        self.assertEqual(library.failed_blocks, [])
        response = self.client.get(self.urls("bib")["paper"])
        self.assertEqual(len(bibtexparser.parse_string(response.content.decode()).entries), 1)

    def test_the_ris_has_one_record_per_paper(self):
        response = self.client.get(self.urls("ris")["author"])
        self.assertEqual(response.content.decode().count("ER  - "), self.row.paper_count)

    def test_the_csl_json_parses(self):
        items = json.loads(self.client.get(self.urls("json")["cluster"]).content)
        self.assertEqual(len(items), self.cluster.paper_count)
        self.assertTrue(all(item["title"] for item in items))

    def test_an_unknown_format_or_object_is_404(self):
        self.assertEqual(self.client.get(self.urls("pdf")["paper"]).status_code, 404)
        self.assertEqual(self.client.get(reverse("papers:export", kwargs={"pk": 0, "fmt": "bib"})).status_code, 404)
        url = reverse("authors:cluster-export", kwargs={"slug": "nobody", "fmt": "bib"})
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_merged_row_redirects_permanently_to_the_survivors_export(self):
        tombstone = make_author("Keivan Rezaei")
        Author.objects.filter(pk=tombstone.pk).update(merged_into=self.row)
        response = self.client.get(reverse("authors:export", kwargs={"pk": tombstone.pk, "fmt": "ris"}))
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], self.urls("ris")["author"])

    def test_the_pages_link_the_downloads(self):
        pages = {
            "paper": self.paper.get_absolute_url(),
            "author": self.row.get_absolute_url(),
            "cluster": self.cluster.get_absolute_url(),
        }
        for label, page in pages.items():
            html = self.client.get(page).content.decode()
            for fmt in ("bib", "ris", "json"):
                with self.subTest(page=label, fmt=fmt):
                    self.assertIn(f'href="{self.urls(fmt)[label]}"', html)

    def test_accents_are_tex_escaped(self):
        author = make_author("José Núñez")
        paper = make_paper([author], title="Über Bäume")
        text = self.client.get(reverse("papers:export", kwargs={"pk": paper.pk, "fmt": "bib"})).content.decode()
        self.assertNotIn("é", text)
        self.assertIn("Jos{\\'e}", text)


class ExportQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.small = import_sample()
        cls.big = make_big_cluster(300)

    def test_the_query_count_does_not_grow_with_the_papers(self):
        # Cluster: the cluster, its papers with venues, their authorships with rows. Author row: the row,
        # the papers, the authorships.
        for cluster in (self.small, self.big):
            row = Author.objects.filter(cluster=cluster).order_by("-paper_count").first()
            for fmt in ("bib", "ris", "json"):
                with self.subTest(cluster=cluster.slug, fmt=fmt), self.assertNumQueries(3):
                    self.client.get(reverse("authors:cluster-export", kwargs={"slug": cluster.slug, "fmt": fmt}))
                with self.subTest(row=row.pk, fmt=fmt), self.assertNumQueries(3):
                    self.client.get(reverse("authors:export", kwargs={"pk": row.pk, "fmt": fmt}))
