"""Arbitrary query strings never make a public page fail: 200 or 400, never a 500."""

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from tests.factories import make_author, make_paper

PARAMS = ["q", "year", "year_min", "year_max", "venue", "type", "author", "o", "page", "utm"]
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["", "2024", "-year", "title", "conference-paper", "ICLR", "1e9", "NaN", "%00", "' OR 1=1 --"]),
)
QUERIES = st.dictionaries(st.sampled_from(PARAMS), VALUES, max_size=5)


class QueryStringFuzzTests(TestCase):
    def setUp(self):
        author = make_author("Fuzz Tester")
        make_paper([author], title="A paper")
        self.cluster_url = author.cluster.get_absolute_url()

    @settings(max_examples=60, deadline=None)
    @given(QUERIES)
    def test_the_paper_list(self, params):
        self.assertIn(self.client.get("/papers/", params).status_code, (200, 400), params)

    @settings(max_examples=60, deadline=None)
    @given(QUERIES)
    def test_the_cluster_page(self, params):
        self.assertIn(self.client.get(self.cluster_url, params).status_code, (200, 400), params)

    @settings(max_examples=40, deadline=None)
    @given(st.text(max_size=250))
    def test_search(self, q):
        self.assertIn(self.client.get("/search/", {"q": q}).status_code, (200, 400), q)
