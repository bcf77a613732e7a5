"""Hostile input in any public query parameter never gives a server error (Hypothesis).

Each example runs in its own transaction (hypothesis.extra.django.TestCase), against one small set
of rows made once for the class. A 404 or a 400 is a fine answer; a 500 fails the test with its traceback.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import make_author, make_paper, make_venue

PARAMS = ["q", "page", "year", "year_min", "year_max", "venue", "type", "author", "o", "sort", "cluster", "per_page"]
NASTY = [
    "",
    "0",
    "-1",
    "1e309",
    "99999999999999999999999",
    str(10**9),
    "NaN",
    "' OR 1=1 --",
    '"unbalanced',
    "a & | ! :* <-> b",
    "%",
    "_",
    "\\",
    "\x00",
    "<script>alert(1)</script>",
    "𝔸𝕣𝕣𝕠𝕨 Łukasz Müller 김 ﷽",
    "x" * 5000,
    "-year",
    "year,title,-pk",
]
# Any text a URL can carry: everything but lone surrogates, which cannot be encoded.
TEXT = st.one_of(st.sampled_from(NASTY), st.text(st.characters(exclude_categories=["Cs"]), max_size=300))
QUERIES = st.dictionaries(st.sampled_from(PARAMS), st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3)), max_size=5)

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class PublicParameterFuzzTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        venue = make_venue(short_name="NeurIPS", slug="neurips")
        cls.author = make_author("Keivan Rezaei")
        cls.paper = make_paper([cls.author, make_author("Keivan Rezaei 0002")], venue=venue)

    def urls(self):
        return [
            "/",
            "/papers/",
            "/search/",
            "/venues/",
            "/venues/neurips/",
            f"/clusters/{self.author.cluster.slug}/",
            f"/authors/{self.author.pk}/",
            f"/papers/{self.paper.pk}/",
        ]

    def assert_no_server_error(self, url, query):
        # The test client re-raises a view's exception, so a 500 fails here with its traceback.
        response = self.client.get(url, query)
        self.assertLess(response.status_code, 500, f"{url} {query!r}")

    @FUZZ
    @given(query=QUERIES)
    def test_list_and_search_pages_survive_any_query(self, query):
        for url in ["/", "/papers/", "/search/", "/venues/"]:
            self.assert_no_server_error(url, query)

    @FUZZ
    @given(query=QUERIES)
    def test_detail_pages_survive_any_query(self, query):
        for url in self.urls()[4:]:
            self.assert_no_server_error(url, query)

    @FUZZ
    @given(segment=TEXT)
    def test_any_path_segment_gives_no_server_error(self, segment):
        from urllib.parse import quote

        for prefix in ["/clusters/", "/authors/", "/papers/", "/venues/"]:
            self.assert_no_server_error(prefix + quote(segment, safe="") + "/", {})


class NulCharacterTests(TestCase):
    def test_a_nul_character_in_the_address_is_a_bad_request(self):
        for url in ["/clusters/%00/", "/venues/a%00b/", "/papers/?q=%00", "/search/?q=x%00y", "/papers/?%00=1"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 400)
