"""Metadata for crawlers: Highwire citation_* tags, JSON-LD, canonical links and the sitemap."""

import json
from html.parser import HTMLParser
from xml.etree import ElementTree

from django.test import TestCase

from authors.models import Author
from tests.factories import make_author, make_paper, make_venue
from tests.pages_data import HOSTILE, import_sample

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class HeadParser(HTMLParser):
    """Collects <meta name> tags, <link> tags and JSON-LD blocks as a browser would read them."""

    def __init__(self):
        super().__init__()
        self.meta, self.links, self.jsonld, self._in_ld = [], [], [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and "name" in attrs:
            self.meta.append((attrs["name"], attrs.get("content")))
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script":
            self._in_ld = attrs.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.jsonld.append(json.loads(data))


def parse(response) -> HeadParser:
    parser = HeadParser()
    parser.feed(response.content.decode())
    return parser


class PaperMetadataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first = make_author("Ada Lovelace")
        cls.second = make_author("Émile Borel")
        cls.paper = make_paper(
            [cls.first, cls.second],
            title="On engines",
            year=2021,
            doi="10.1234/abc",
            abstract="An abstract.",
            venue=make_venue(short_name="JACM", full_name="Journal of the ACM", kind="journal"),
        )

    def test_it_has_highwire_tags_with_authors_in_order(self):
        head = parse(self.client.get(self.paper.get_absolute_url()))
        meta = head.meta
        self.assertIn(("citation_title", "On engines"), meta)
        self.assertEqual([v for k, v in meta if k == "citation_author"], ["Ada Lovelace", "Émile Borel"])
        self.assertIn(("citation_publication_date", "2021"), meta)
        self.assertIn(("citation_journal_title", "Journal of the ACM"), meta)
        self.assertIn(("citation_doi", "10.1234/abc"), meta)
        self.assertIn(("citation_abstract_html_url", "http://testserver" + self.paper.get_absolute_url()), meta)

    def test_a_conference_paper_names_its_conference(self):
        paper = make_paper([self.first], venue=make_venue(short_name="NeurIPS"))
        self.assertIn(("citation_conference_title", "NeurIPS"), parse(self.client.get(paper.get_absolute_url())).meta)

    def test_it_has_scholarly_article_json_ld(self):
        (data,) = parse(self.client.get(self.paper.get_absolute_url())).jsonld
        self.assertEqual(data["@type"], "ScholarlyArticle")
        self.assertEqual(data["name"], "On engines")
        self.assertEqual([a["name"] for a in data["author"]], ["Ada Lovelace", "Émile Borel"])
        self.assertEqual(data["datePublished"], "2021")

    def test_hostile_titles_and_names_are_escaped(self):
        hostile = HOSTILE + '"></script><script>alert(2)</script>'
        paper = make_paper([make_author("Eve " + hostile.replace(" ", ""))], title=hostile)
        response = self.client.get(paper.get_absolute_url())
        html = response.content.decode()
        self.assertNotIn("<script>alert", html)
        self.assertNotIn("<img src=x", html)
        head = parse(response)
        self.assertIn(("citation_title", hostile), head.meta)
        (data,) = head.jsonld
        self.assertEqual(data["name"], hostile)

    def test_the_canonical_link_is_absolute(self):
        head = parse(self.client.get(self.paper.get_absolute_url()))
        canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        self.assertEqual(canonical, ["http://testserver" + self.paper.get_absolute_url()])


class AuthorMetadataTests(TestCase):
    def test_it_has_person_json_ld_with_orcid_as_same_as(self):
        author = make_author("Ada Lovelace", orcid="0000-0002-1825-0097", affiliation="<b>Analytical</b>")
        make_paper([author])
        (data,) = parse(self.client.get(author.get_absolute_url())).jsonld
        self.assertEqual(data["@type"], "Person")
        self.assertEqual(data["name"], "Ada Lovelace")
        self.assertEqual(data["sameAs"], ["https://orcid.org/0000-0002-1825-0097"])
        self.assertEqual(data["affiliation"]["name"], "<b>Analytical</b>")

    def test_the_canonical_link_follows_merges(self):
        survivor, tombstone = make_author("Ada Lovelace"), make_author("Ada Lovelace")
        Author.objects.filter(pk=tombstone.pk).update(merged_into=survivor)
        response = self.client.get(tombstone.get_absolute_url(), follow=True)
        canonical = [link["href"] for link in parse(response).links if link.get("rel") == "canonical"]
        self.assertEqual(canonical, ["http://testserver" + survivor.get_absolute_url()])


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cluster = import_sample()

    def test_it_lists_papers_live_rows_clusters_and_venues_only(self):
        tombstone = make_author("Keivan Rezaei")
        live = Author.objects.filter(cluster=self.cluster).exclude(pk=tombstone.pk).first()
        Author.objects.filter(pk=tombstone.pk).update(merged_into=live)
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        root = ElementTree.fromstring(response.content)  # noqa: S314 - our own output
        urls = {loc.text.removeprefix("http://testserver") for loc in root.iter(f"{SITEMAP}loc")}
        self.assertIn(live.get_absolute_url(), urls)
        self.assertNotIn(tombstone.get_absolute_url(), urls)
        self.assertIn(self.cluster.get_absolute_url(), urls)
        paper = live.authorships.first().paper
        self.assertIn(paper.get_absolute_url(), urls)
        self.assertIn(paper.venue.get_absolute_url(), urls)

    def test_the_query_count_is_two_per_section_whatever_the_size(self):
        # Per section: the paginator's count and the page of rows.
        with self.assertNumQueries(8):
            self.client.get("/sitemap.xml")
        make_paper([make_author() for _ in range(5)], venue=make_venue())
        with self.assertNumQueries(8):
            self.client.get("/sitemap.xml")
