"""The public JSON API (/api/): fields, order, pagination, filters, redirects, errors, headers, queries."""

from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase, override_settings

from arrow_site.paginators import PublicListPaginator
from authors.curation.merge import author_merge
from authors.models import Author
from papers.models import HIGHLIGHT_START, HIGHLIGHT_STOP, Paper
from tests.factories import make_author, make_paper, make_venue
from tests.pages_data import import_sample, make_big_cluster

BASE = "http://testserver"
# PostgreSQL's planner estimate of a whole table's rows, read before counting an unfiltered list
# (arrow_site/paginators.py, as for the HTML lists); SQLite has none.
ESTIMATE = 1 if connection.vendor == "postgresql" else 0


class ApiTestCase(TestCase):
    def get_json(self, url, params=None, status=200):
        response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/json")
        return response.json()


class SampleApiTestCase(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cluster = import_sample()
        cls.rows = list(Author.objects.filter(cluster=cls.cluster).order_by("-paper_count", "pk"))
        cls.paper = Paper.objects.get(title="Localizing Knowledge in Diffusion Transformers")


class PaperListTests(SampleApiTestCase):
    def test_it_lists_every_paper_newest_first(self):
        data = self.get_json("/api/papers/")

        self.assertEqual(data["count"], 9)
        self.assertEqual((data["count_is_estimate"], data["count_is_capped"]), (False, False))
        self.assertIsNone(data["next"])
        self.assertIsNone(data["previous"])
        years = [paper["year"] for paper in data["results"]]
        self.assertEqual(years, sorted(years, reverse=True))
        self.assertEqual(len(years), 9)

    def test_it_sorts_by_title_with_o(self):
        titles = [paper["title"] for paper in self.get_json("/api/papers/", {"o": "title"})["results"]]

        self.assertEqual(titles, sorted(titles))

    def test_sort_keys_are_the_schemas_and_none_is_empty(self):
        # django-filter read blank keys as no key: "o=,," sorted nothing and answered 200 (found by
        # the schema conformance test). An empty o is no sort, as an empty filter is no filter.
        years = [paper["year"] for paper in self.get_json("/api/papers/", {"o": "year,title"})["results"]]
        self.assertEqual(years, sorted(years))
        self.assertEqual(self.get_json("/api/papers/", {"o": ""})["count"], 9)
        for value in (",,", "year,", ",-year", "year,,title", "age"):
            with self.subTest(value):
                self.assertEqual(list(self.get_json("/api/papers/", {"o": value}, status=400)["errors"]), ["o"])

    def test_it_filters_like_the_html_list(self):
        cases = [
            ({"year": 2023}, 2),
            ({"year_min": 2024}, 7),
            ({"year_min": 2024, "year_max": 2024}, 5),
            ({"venue": "neurips"}, 2),
            ({"type": "journal-article"}, 1),
            ({"author": self.rows[1].pk}, self.rows[1].paper_count),
            ({"q": "Knowledge"}, 3),
            ({"year": ""}, 9),
        ]
        for params, count in cases:
            with self.subTest(params):
                self.assertEqual(self.get_json("/api/papers/", params)["count"], count)

    def test_a_bad_filter_is_a_400_that_names_it(self):
        for params in ({"year": "abc"}, {"year": "2024.5"}, {"type": "novel"}, {"author": "0"}, {"venue": "x" * 201}):
            with self.subTest(params):
                data = self.get_json("/api/papers/", params, status=400)
                name = next(iter(params))
                self.assertEqual(list(data["errors"]), [name])
                self.assertEqual(data["detail"], f"Invalid query parameters: {name}.")

    def test_it_ignores_unknown_parameters(self):
        self.assertEqual(self.get_json("/api/papers/", {"utm_source": "x"})["count"], 9)


class PaginationTests(SampleApiTestCase):
    def test_it_links_the_next_and_previous_pages(self):
        first = self.get_json("/api/papers/", {"page_size": 4})
        second = self.get_json("/api/papers/", {"page_size": 4, "page": 2})
        last = self.get_json("/api/papers/", {"page_size": 4, "page": 3})

        self.assertEqual(first["next"], f"{BASE}/api/papers/?page=2&page_size=4")
        self.assertIsNone(first["previous"])
        self.assertEqual(second["previous"], f"{BASE}/api/papers/?page_size=4")
        self.assertEqual(second["next"], f"{BASE}/api/papers/?page=3&page_size=4")
        self.assertIsNone(last["next"])
        self.assertEqual([len(p["results"]) for p in (first, second, last)], [4, 4, 1])
        ids = [paper["id"] for page in (first, second, last) for paper in page["results"]]
        self.assertEqual(len(set(ids)), 9)

    def test_the_links_keep_the_filters(self):
        data = self.get_json("/api/papers/", {"year_min": 2024, "page_size": 2})

        self.assertEqual(data["next"], f"{BASE}/api/papers/?page=2&page_size=2&year_min=2024")

    def test_a_bad_page_or_page_size_is_a_400(self):
        bad = ["abc", "0", "1.0", " 1", "+1", "-1", "٢", "9" * 30, str(2**63)]
        for params in [{"page": value} for value in bad] + [{"page_size": value} for value in bad]:
            with self.subTest(params):
                data = self.get_json("/api/papers/", params, status=400)
                self.assertEqual(list(data["errors"]), list(params))

    def test_a_page_past_the_end_is_a_404(self):
        data = self.get_json("/api/papers/", {"page": 2}, status=404)

        self.assertIn("Invalid page", data["detail"])

    def test_like_the_html_lists_it_counts_and_pages_only_so_far(self):
        with mock.patch.object(PublicListPaginator, "count_cap", 5):
            data = self.get_json("/api/papers/", {"page_size": 2, "page": 3, "year_min": 2000})
            self.get_json("/api/papers/", {"page_size": 2, "page": 4, "year_min": 2000}, status=404)

        self.assertEqual((data["count"], data["count_is_capped"]), (6, True))
        self.assertIsNone(data["next"])

    def test_an_empty_list_still_has_page_one(self):
        data = self.get_json("/api/papers/", {"year": 1900})

        self.assertEqual((data["count"], data["results"]), (0, []))


class PageSizeCapTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        make_big_cluster(120)

    def test_it_caps_the_page_size_at_100(self):
        data = self.get_json("/api/papers/", {"page_size": 1000})

        self.assertEqual(len(data["results"]), 100)
        self.assertEqual(data["next"], f"{BASE}/api/papers/?page=2&page_size=1000")

    def test_the_default_page_is_50_like_the_html_list(self):
        self.assertEqual(len(self.get_json("/api/papers/")["results"]), 50)


class PaperDetailTests(ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.venue = make_venue(short_name="NeurIPS", slug="neurips", full_name="Neural Information Processing Systems")
        cls.first = make_author("Ada Lovelace", orcid="0000-0002-1825-0097")
        cls.second = make_author("Wenxiao Wang 0002")
        cls.paper = make_paper(
            [cls.second, cls.first],
            title="On engines",
            abstract="We compute.",
            year=1843,
            venue=cls.venue,
            doi="10.1000/engines",
            dblp_key="journals/x/Lovelace43",
            arxiv_id="1843.00001",
            url="https://example.org/engines",
        )
        cls.bare = make_paper([cls.first], title="Bare", year=None)

    def test_it_shows_the_paper_with_its_identifiers(self):
        data = self.get_json(f"/api/papers/{self.paper.pk}/")

        self.assertEqual(data["id"], self.paper.pk)
        self.assertEqual(data["url"], f"{BASE}/api/papers/{self.paper.pk}/")
        self.assertEqual(data["html_url"], f"{BASE}/papers/{self.paper.pk}/on-engines/")
        self.assertEqual((data["title"], data["abstract"], data["year"]), ("On engines", "We compute.", 1843))
        self.assertEqual(data["type"], "conference-paper")
        self.assertEqual(data["doi"], "10.1000/engines")
        self.assertEqual(data["doi_url"], "https://doi.org/10.1000/engines")
        self.assertEqual(data["link"], "https://example.org/engines")
        self.assertEqual(
            data["identifiers"], {"dblp": "journals/x/Lovelace43", "openalex": None, "arxiv": "1843.00001"}
        )
        self.assertEqual(
            data["venue"],
            {
                "short_name": "NeurIPS",
                "full_name": "Neural Information Processing Systems",
                "kind": "conference",
                "slug": "neurips",
                "html_url": f"{BASE}/venues/neurips/",
            },
        )

    def test_it_lists_the_authors_in_order_with_their_rows(self):
        authors = self.get_json(f"/api/papers/{self.paper.pk}/")["authors"]

        self.assertEqual(
            authors,
            [
                {
                    "position": 1,
                    "printed_name": "Wenxiao Wang 0002",
                    "id": self.second.pk,
                    "name": "Wenxiao Wang 0002",
                    "url": f"{BASE}/api/authors/{self.second.pk}/",
                    "html_url": f"{BASE}/authors/{self.second.pk}/",
                },
                {
                    "position": 2,
                    "printed_name": "Ada Lovelace",
                    "id": self.first.pk,
                    "name": "Ada Lovelace",
                    "url": f"{BASE}/api/authors/{self.first.pk}/",
                    "html_url": f"{BASE}/authors/{self.first.pk}/",
                },
            ],
        )

    def test_unknown_values_are_null(self):
        data = self.get_json(f"/api/papers/{self.bare.pk}/")

        self.assertIsNone(data["year"])
        self.assertIsNone(data["abstract"])
        self.assertIsNone(data["venue"])
        self.assertEqual((data["doi"], data["doi_url"], data["link"]), (None, None, None))
        self.assertEqual(data["identifiers"], {"dblp": None, "openalex": None, "arxiv": None})

    def test_an_unknown_id_is_a_json_404(self):
        for url in (
            "/api/papers/999999/",
            "/api/papers/99999999999999999999/",
            "/api/papers/abc/",
            "/api/authors/x%0A/",
            "/api/nothing/",
        ):
            with self.subTest(url):
                self.assertIn("detail", self.get_json(url, status=404))

    def test_a_missing_slash_redirects_like_the_pages(self):
        response = self.client.get("/api/papers")

        self.assertRedirects(response, "/api/papers/", status_code=301)

    def test_it_is_read_only(self):
        for method in (self.client.post, self.client.put, self.client.delete):
            with self.subTest(method.__name__):
                response = method(f"/api/papers/{self.paper.pk}/")
                self.assertEqual(response.status_code, 405)
                self.assertEqual(response["Allow"], "GET, HEAD, OPTIONS")
                self.assertIn("detail", response.json())


class AuthorApiTests(SampleApiTestCase):
    def test_it_shows_the_row_and_its_cluster(self):
        row = make_author("Wenxiao Wang 0002", orcid="0000-0002-1825-0097", affiliation="UMD")
        data = self.get_json(f"/api/authors/{row.pk}/")

        self.assertEqual(
            data,
            {
                "id": row.pk,
                "url": f"{BASE}/api/authors/{row.pk}/",
                "html_url": f"{BASE}/authors/{row.pk}/",
                "papers_url": f"{BASE}/api/authors/{row.pk}/papers/",
                "name": "Wenxiao Wang",
                "homonym_number": "0002",
                "full_name": "Wenxiao Wang 0002",
                "orcid": "0000-0002-1825-0097",
                "orcid_url": "https://orcid.org/0000-0002-1825-0097",
                "affiliation": "UMD",
                "name_variants": [],
                "paper_count": 0,
                "cluster": {
                    "slug": row.cluster.slug,
                    "name": row.cluster.name,
                    "url": f"{BASE}/api/clusters/{row.cluster.slug}/",
                    "html_url": f"{BASE}{row.cluster.get_absolute_url()}",
                },
            },
        )

    def test_it_lists_the_rows_papers_newest_first(self):
        row = self.rows[0]
        data = self.get_json(f"/api/authors/{row.pk}/papers/")

        self.assertEqual(data["count"], row.paper_count)
        expected = list(Paper.objects.by_author(row.pk).newest_first().values_list("pk", flat=True))
        self.assertEqual([paper["id"] for paper in data["results"]], expected)
        for paper in data["results"]:
            self.assertIn(row.pk, [author["id"] for author in paper["authors"]])

    def test_the_rows_papers_take_the_filters(self):
        row = self.rows[0]
        data = self.get_json(f"/api/authors/{row.pk}/papers/", {"year": 2023})

        self.assertEqual(data["count"], Paper.objects.by_author(row.pk).filter(year=2023).count())
        self.get_json(f"/api/authors/{row.pk}/papers/", {"year": "soon"}, status=400)

    def test_a_merged_row_redirects_to_the_survivor_in_one_hop(self):
        survivor, tombstone = self.rows
        author_merge(target=survivor, sources=[tombstone], curator=None)

        for path in (f"/api/authors/{tombstone.pk}/", f"/api/authors/{tombstone.pk}/papers/"):
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], BASE + path.replace(str(tombstone.pk), str(survivor.pk)))
                self.assertEqual(self.client.get(response["Location"]).status_code, 200)

    def test_the_redirect_keeps_the_query_string(self):
        survivor, tombstone = self.rows
        author_merge(target=survivor, sources=[tombstone], curator=None)

        response = self.client.get(f"/api/authors/{tombstone.pk}/papers/", {"year": 2024, "page_size": 2})

        self.assertEqual(response["Location"], f"{BASE}/api/authors/{survivor.pk}/papers/?year=2024&page_size=2")

    def test_an_older_tombstone_goes_straight_to_the_current_survivor(self):
        first, second = self.rows
        third = make_author("Keivan Rezaei 0003")
        author_merge(target=second, sources=[first], curator=None)
        author_merge(target=third, sources=[second], curator=None)

        response = self.client.get(f"/api/authors/{first.pk}/")

        self.assertEqual(response["Location"], f"{BASE}/api/authors/{third.pk}/")

    def test_a_broken_merge_chain_is_a_404_not_a_loop(self):
        first, second = self.rows
        # Damaged by hand: two rows merged into each other.
        Author.objects.filter(pk=first.pk).update(merged_into=second)
        Author.objects.filter(pk=second.pk).update(merged_into=first)

        data = self.get_json(f"/api/authors/{first.pk}/", status=404)

        self.assertIn("merged", data["detail"])

    def test_an_unknown_row_is_a_json_404(self):
        self.get_json("/api/authors/999999/", status=404)
        self.get_json("/api/authors/999999/papers/", status=404)


class ClusterApiTests(SampleApiTestCase):
    def test_it_shows_the_cluster_with_its_counts(self):
        data = self.get_json("/api/clusters/keivan-rezaei/")

        self.assertEqual(
            data,
            {
                "slug": "keivan-rezaei",
                "name": "Keivan Rezaei",
                "url": f"{BASE}/api/clusters/keivan-rezaei/",
                "html_url": f"{BASE}/clusters/keivan-rezaei/",
                "paper_count": 9,
                "author_count": 2,
                "authors_url": f"{BASE}/api/clusters/keivan-rezaei/authors/",
                "papers_url": f"{BASE}/api/clusters/keivan-rezaei/papers/",
            },
        )

    def test_it_lists_the_live_rows_most_papers_first(self):
        data = self.get_json("/api/clusters/keivan-rezaei/authors/")

        self.assertEqual([row["id"] for row in data["results"]], [row.pk for row in self.rows])
        self.assertEqual(data["results"][0]["cluster"]["slug"], "keivan-rezaei")

        author_merge(target=self.rows[0], sources=[self.rows[1]], curator=None)
        data = self.get_json("/api/clusters/keivan-rezaei/authors/")
        self.assertEqual([row["id"] for row in data["results"]], [self.rows[0].pk])

    def test_it_lists_the_clusters_papers_with_filters(self):
        self.assertEqual(self.get_json("/api/clusters/keivan-rezaei/papers/")["count"], 9)
        by_row = self.get_json("/api/clusters/keivan-rezaei/papers/", {"author": self.rows[1].pk})
        self.assertEqual(by_row["count"], self.rows[1].paper_count)
        self.get_json("/api/clusters/keivan-rezaei/papers/", {"type": "poem"}, status=400)

    def test_an_unknown_slug_is_a_json_404(self):
        for path in ("/api/clusters/nobody/", "/api/clusters/nobody/authors/", "/api/clusters/nobody/papers/"):
            with self.subTest(path):
                self.get_json(path, status=404)


class SearchApiTests(SampleApiTestCase):
    def test_it_finds_clusters_and_papers(self):
        data = self.get_json("/api/search/", {"q": "  Rezaei "})

        self.assertEqual(data["q"], "Rezaei")
        self.assertEqual([c["slug"] for c in data["clusters"]], ["keivan-rezaei"])
        self.assertEqual(data["clusters"][0]["paper_count"], 9)
        # Authors' names are searched too (on SQLite, as printed on the paper).
        self.assertEqual(data["count"], 9)
        self.assertFalse(data["more_than_ranked"])

    def test_it_finds_papers_by_title(self):
        data = self.get_json("/api/search/", {"q": "knowledge"})

        titles = {paper["title"] for paper in data["results"]}
        self.assertIn("Localizing Knowledge in Diffusion Transformers", titles)
        self.assertEqual(data["count"], len(data["results"]))

    def test_a_snippet_is_the_matching_passage_as_plain_text(self):
        snippets = [paper["snippet"] for paper in self.get_json("/api/search/", {"q": "unlearning"})["results"]]

        self.assertTrue(any(snippets), snippets)
        for snippet in filter(None, snippets):
            self.assertIn("unlearning", snippet.lower())
            self.assertFalse({HIGHLIGHT_START, HIGHLIGHT_STOP} & set(snippet))

    def test_it_ranks_only_the_newest_candidates_and_says_so(self):
        with mock.patch("papers.models.SEARCH_CANDIDATES", 2):
            data = self.get_json("/api/search/", {"q": "knowledge"})

        self.assertEqual(data["count"], 2)
        self.assertTrue(data["more_than_ranked"])

    def test_the_paper_filters_narrow_the_results(self):
        everything = self.get_json("/api/search/", {"q": "knowledge"})["count"]
        narrowed = self.get_json("/api/search/", {"q": "knowledge", "year": 2025})

        self.assertLess(narrowed["count"], everything)
        self.assertEqual({paper["year"] for paper in narrowed["results"]}, {2025})

    def test_it_paginates(self):
        data = self.get_json("/api/search/", {"q": "knowledge", "page_size": 1})

        self.assertEqual(len(data["results"]), 1)
        self.assertEqual(data["next"], f"{BASE}/api/search/?page=2&page_size=1&q=knowledge")

    def test_a_missing_query_is_a_400_and_a_blank_one_finds_nothing(self):
        self.assertEqual(list(self.get_json("/api/search/", status=400)["errors"]), ["q"])
        blank = self.get_json("/api/search/", {"q": "   "})
        self.assertEqual((blank["q"], blank["count"], blank["clusters"], blank["results"]), ("", 0, [], []))

    def test_a_long_query_is_cut_not_refused(self):
        self.assertEqual(len(self.get_json("/api/search/", {"q": "a" * 500})["q"]), 200)

    def test_bad_filters_and_nul_characters_are_a_400(self):
        self.get_json("/api/search/", {"q": "knowledge", "year": "x"}, status=400)
        # The site-wide RejectNulMiddleware answers this one before the API runs, in the API's shape.
        body = self.get_json("/api/search/", {"q": "a\x00b"}, status=400)
        self.assertEqual(body["errors"], {"q": ["NUL is not allowed."]})
        self.assertEqual(self.client.get("/api/papers/%00/")["Content-Type"], "application/json")

    def test_a_parameter_given_twice_is_a_400_not_its_last_value(self):
        # Found by schemathesis: ?q=&year=false&year=0.0 answered 200, reading year as 0.
        data = self.get_json("/api/search/?q=&year=false&year=0.0", status=400)
        self.assertEqual(data["errors"], {"year": ["Give this parameter once."]})
        self.get_json("/api/papers/?venue=a&venue=b", status=400)
        # The HTML pages keep reading the last value, as their forms always did.
        self.assertEqual(self.client.get("/papers/?venue=a&venue=b").status_code, 200)


class SchemaTests(ApiTestCase):
    def test_it_serves_an_openapi_3_schema_of_every_endpoint(self):
        response = self.client.get("/api/openapi.json")

        self.assertEqual(response.status_code, 200)
        schema = response.json()
        self.assertTrue(schema["openapi"].startswith("3."))
        self.assertEqual(
            sorted(schema["paths"]),
            [
                "/api/",
                "/api/authors/{id}/",
                "/api/authors/{id}/papers/",
                "/api/clusters/{slug}/",
                "/api/clusters/{slug}/authors/",
                "/api/clusters/{slug}/papers/",
                "/api/papers/",
                "/api/papers/{id}/",
                "/api/search/",
            ],
        )

    def test_the_index_links_to_the_lists_and_the_schema(self):
        self.assertEqual(
            self.get_json("/api/"),
            {"papers": f"{BASE}/api/papers/", "search": f"{BASE}/api/search/", "schema": f"{BASE}/api/openapi.json"},
        )


@override_settings(PUBLIC_CACHE_SECONDS=300)
class HeaderTests(SampleApiTestCase):
    def test_json_answers_carry_the_security_headers(self):
        for url in ("/api/papers/", "/api/papers/0/", "/api/papers/?year=x", "/api/openapi.json"):
            with self.subTest(url):
                response = self.client.get(url)
                self.assertIn("default-src 'self'", response["Content-Security-Policy"])
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertEqual(response["X-Frame-Options"], "DENY")
                self.assertEqual(response["Referrer-Policy"], "same-origin")

    def test_anonymous_answers_are_publicly_cacheable_and_errors_are_not(self):
        ok = self.client.get("/api/papers/")
        self.assertEqual(ok["Cache-Control"], "public, max-age=300")
        self.assertIn("Cookie", ok["Vary"])
        for url in ("/api/papers/?year=x", "/api/papers/0/"):
            with self.subTest(url):
                self.assertFalse(self.client.get(url).has_header("Cache-Control"))

    def test_a_signed_in_user_gets_no_public_copy(self):
        user = get_user_model().objects.create_user("curator", password="pw", is_staff=True)
        self.client.force_login(user)

        response = self.client.get("/api/papers/")

        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.has_header("Cache-Control"))


class QueryCountTests(ApiTestCase):
    """Every endpoint runs the same number of queries for 9 papers and for 300, at any page size.

    Intended to prevent N+1 queries: a serializer that grew a query per paper or per author would
    fail here.
    """

    @classmethod
    def setUpTestData(cls):
        small = import_sample()
        big = make_big_cluster(300)
        cls.clusters = {"9 papers": small, "300 papers": big}

    def assert_queries(self, n, url, params=None, status=200):
        for page_size in (1, 100):
            with self.subTest(url=url, page_size=page_size), self.assertNumQueries(n):
                response = self.client.get(url, {**(params or {}), "page_size": page_size})
            self.assertEqual(response.status_code, status, url)

    def test_the_paper_list(self):
        # Expect 3 queries: the count, the page of papers with venues, their authorships with rows;
        # plus, unfiltered on PostgreSQL, the planner's estimate of the table (ESTIMATE).
        self.assert_queries(ESTIMATE + 3, "/api/papers/")
        self.assert_queries(3, "/api/papers/", {"venue": "BigConf", "year_min": 2001, "o": "title"})

    def test_a_paper(self):
        # Expect 2 queries: the paper with its venue, its authorships with rows.
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                self.assert_queries(2, f"/api/papers/{Paper.objects.in_cluster(cluster).first().pk}/")

    def test_an_author_row_and_its_papers(self):
        # Expect 1 query for the row with its cluster; its papers add the count, the page and the
        # authorships.
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                row = Author.objects.filter(cluster=cluster).order_by("-paper_count").first()
                self.assert_queries(1, f"/api/authors/{row.pk}/")
                self.assert_queries(4, f"/api/authors/{row.pk}/papers/")

    def test_a_merged_row(self):
        # Expect 2 queries: the tombstone, then the row it points at.
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                survivor, tombstone = Author.objects.filter(cluster=cluster).order_by("-paper_count")[:2]
                author_merge(target=survivor, sources=[tombstone], curator=None)
                self.assert_queries(2, f"/api/authors/{tombstone.pk}/papers/", status=301)

    def test_a_cluster_its_rows_and_its_papers(self):
        # Expect 1 query for the cluster; its rows add the count and the page of rows (cluster
        # joined); its papers add the count, the page and the authorships.
        for label, cluster in self.clusters.items():
            with self.subTest(label):
                self.assert_queries(1, f"/api/clusters/{cluster.slug}/")
                self.assert_queries(3, f"/api/clusters/{cluster.slug}/authors/")
                self.assert_queries(4, f"/api/clusters/{cluster.slug}/papers/")

    def test_search(self):
        # Expect 4 queries: the candidates' ids (which count them), the page of papers with venues,
        # their authorships, the clusters.
        self.assert_queries(4, "/api/search/", {"q": "paper"})
        self.assert_queries(4, "/api/search/", {"q": "Wei Zhang", "year_min": 2001})
