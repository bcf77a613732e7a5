"""The public pages (issue 3): what each page shows, its links, redirects, 404s and filters."""

from django.contrib.auth.models import User
from django.test import TestCase
from django.urls import reverse

from authors.curation.merge import author_merge
from authors.curation.split import author_split
from authors.models import Author, NameCluster
from papers.models import Paper, Venue
from papers.page_mixins import PAGE_SIZE
from tests.factories import make_author, make_paper, make_venue
from tests.pages_data import HOSTILE, add_history, import_sample, make_big_cluster


class SamplePageTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cluster = import_sample()
        cls.rows = list(Author.objects.filter(cluster=cls.cluster).order_by("-paper_count"))
        cls.paper = Paper.objects.get(title="Localizing Knowledge in Diffusion Transformers")


class ClusterPageTests(SamplePageTestCase):
    def test_it_follows_the_seed_page(self):
        response = self.client.get("/clusters/keivan-rezaei/")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<title>Keivan Rezaei — author name cluster · Arrow</title>", html=False)
        self.assertContains(response, "Author name cluster")
        self.assertContains(response, "<h1>Keivan Rezaei</h1>", html=True)
        self.assertContains(response, "is not a full identity disambiguation profile")
        self.assertContains(response, "<li>9 papers</li>", html=True)
        self.assertContains(response, "<li>2 author rows</li>", html=True)
        self.assertContains(response, "Possible papers")
        self.assertContains(response, "Localizing Knowledge in Diffusion Transformers")

    def test_it_shows_the_venue_kind_year_and_type_line(self):
        response = self.client.get("/clusters/keivan-rezaei/")

        neurips = Venue.objects.get(short_name="NeurIPS")
        self.assertContains(
            response,
            f'<p class="paper-meta"><a href="/venues/{neurips.slug}/">NeurIPS</a> Conference 2025 Conference Paper</p>',
            html=True,
        )
        self.assertContains(response, "TMLR</a> Journal 2025 Journal Article")

    def test_it_links_each_author_in_order_and_each_row(self):
        response = self.client.get("/clusters/keivan-rezaei/")
        html = response.content.decode()

        names = ["Arman Zarei", "Samyadeep Basu", "Keivan Rezaei", "Zihao Lin", "Sayan Nag", "Soheil Feizi"]
        for authorship in self.paper.authorships.select_related("author"):
            self.assertIn(f'href="/authors/{authorship.author_id}/"', html)
        start = html.index("Localizing Knowledge", html.index('id="papers-heading"'))  # after the timeline
        positions = [html.index(f">{name}</a>", start) for name in names]
        self.assertEqual(positions, sorted(positions))
        for row in self.rows:
            self.assertContains(response, f"Keivan Rezaei (row #{row.pk})")

    def test_it_says_which_row_each_paper_belongs_to(self):
        response = self.client.get("/clusters/keivan-rezaei/")

        row = self.paper.authorships.get(printed_name="Keivan Rezaei").author
        self.assertContains(response, f'as <a href="/authors/{row.pk}/">Keivan Rezaei (row #{row.pk})</a>', html=True)

    def test_it_lists_papers_newest_first(self):
        response = self.client.get("/clusters/keivan-rezaei/")

        years = [paper.year for paper in response.context["page_obj"]]
        self.assertEqual(years, sorted(years, reverse=True))

    def test_it_folds_long_abstracts_in_details(self):
        response = self.client.get("/clusters/keivan-rezaei/")

        self.assertContains(response, "<summary>Read the rest of the abstract</summary>", html=True)

    def test_it_renders_tex_and_emphasis_readably(self):
        response = self.client.get("/clusters/keivan-rezaei/")

        self.assertContains(response, 'PixArt-<span class="math">α</span>')
        self.assertContains(response, "<em>model personalization</em>", html=True)
        self.assertContains(response, "<em>segment auction</em>", html=True)
        self.assertNotContains(response, "$\\alpha$")

    def test_it_narrows_by_author_row_year_venue_and_type(self):
        small = self.rows[1]
        url = "/clusters/keivan-rezaei/"

        self.assertEqual(self.client.get(url, {"author": small.pk}).context["paginator"].count, small.paper_count)
        self.assertEqual(
            self.client.get(url, {"year": 2025}).context["paginator"].count,
            Paper.objects.filter(year=2025).count(),
        )
        by_venue = self.client.get(url, {"venue": "NeurIPS", "type": "conference-paper"})
        self.assertEqual(
            {p.venue.short_name for p in by_venue.context["page_obj"]}, {"NeurIPS"}, by_venue.content.decode()[:300]
        )

    def test_a_filter_value_outside_the_cluster_is_a_400_not_a_500(self):
        other = make_author("Someone Else")

        for params in ({"author": other.pk}, {"year": "nineteen"}, {"venue": "<x>"}, {"type": "poem"}):
            response = self.client.get("/clusters/keivan-rezaei/", params)
            self.assertEqual(response.status_code, 400, params)
            self.assertContains(response, "Some filters could not be used", status_code=400)

    def test_an_unknown_cluster_is_404(self):
        self.assertEqual(self.client.get("/clusters/nobody-at-all/").status_code, 404)

    def test_singular_counts_read_right(self):
        author = make_author("Solo Writer")
        make_paper([author])

        response = self.client.get(author.cluster.get_absolute_url())

        self.assertContains(response, "<li>1 paper</li>", html=True)
        self.assertContains(response, "<li>1 author row</li>", html=True)


class ClusterPaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.cluster = make_big_cluster(120)

    def test_it_paginates_and_keeps_the_filters_in_page_links(self):
        response = self.client.get(self.cluster.get_absolute_url(), {"type": "conference-paper"})

        self.assertEqual(response.context["paginator"].count, 60)
        self.assertEqual(len(response.context["page_obj"]), PAGE_SIZE)
        self.assertContains(response, "?type=conference-paper&amp;page=2")

    def test_a_page_past_the_end_shows_the_last_page(self):
        response = self.client.get(self.cluster.get_absolute_url(), {"page": 999})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["page_obj"].number, -(-120 // PAGE_SIZE))
        self.assertEqual(self.client.get(self.cluster.get_absolute_url(), {"page": "x"}).status_code, 200)

    def test_the_counts_follow_a_merge_and_a_split(self):
        # The unfiltered list takes its count from the cluster (authors.views.ClusterDetailView): it
        # must be the papers the page can reach after curation too, here the same as a filtered count.
        rows = list(Author.objects.in_cluster(self.cluster))
        curator = User.objects.create_user("curator")
        survivor = author_merge(target=rows[0], sources=[rows[1]], curator=curator)
        author_split(
            author=survivor,
            paper_ids=list(Paper.objects.by_author(survivor.pk).values_list("pk", flat=True)[:7]),
            curator=curator,
        )
        for params in ({}, {"type": ""}, {"page": 3}):
            with self.subTest(params):
                response = self.client.get(self.cluster.get_absolute_url(), params)
                self.assertEqual(response.context["paginator"].count, Paper.objects.in_cluster(self.cluster).count())
                self.assertEqual(response.context["paginator"].count, 120)


class AuthorPageTests(SamplePageTestCase):
    def test_it_shows_the_row_its_cluster_papers_and_coauthors(self):
        row = self.rows[0]

        response = self.client.get(f"/authors/{row.pk}/")

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"Author row #{row.pk}")
        self.assertContains(response, '<a href="/clusters/keivan-rezaei/">Keivan Rezaei</a>', html=True)
        self.assertEqual(response.context["paginator"].count, row.paper_count)
        coauthors = response.context["coauthors"]
        self.assertEqual(coauthors[0].full_name, "Soheil Feizi")
        self.assertEqual(coauthors[0].shared_papers, max(c.shared_papers for c in coauthors))
        self.assertContains(response, "Frequent co-authors")

    def test_it_shows_the_homonym_number_and_orcid_link(self):
        author = make_author("Wenxiao Wang 0002", orcid="0000-0002-1825-0097")
        make_paper([author])

        response = self.client.get(author.get_absolute_url())

        self.assertContains(response, "0002")
        self.assertContains(
            response, '<a href="https://orcid.org/0000-0002-1825-0097">0000-0002-1825-0097</a>', html=True
        )

    def test_the_history_lists_curation_events(self):
        row = self.rows[0]
        add_history(row, "Merged row #1 into this row", "Fixed the affiliation")

        response = self.client.get(row.get_absolute_url())

        self.assertContains(response, "History")
        self.assertContains(response, "Merged row #1 into this row")
        self.assertContains(response, "<strong>Edit</strong>", html=True)

    def test_the_history_has_an_empty_state(self):
        response = self.client.get(self.rows[0].get_absolute_url())

        self.assertContains(response, "No curator has changed this row.")

    def test_a_merged_row_redirects_permanently_to_the_survivor(self):
        survivor, tombstone = self.rows
        Author.objects.filter(pk=tombstone.pk).update(merged_into=survivor)

        response = self.client.get(f"/authors/{tombstone.pk}/")

        self.assertRedirects(response, f"/authors/{survivor.pk}/", status_code=301)

    def test_a_broken_merge_chain_is_a_404_not_a_loop(self):
        a, b = self.rows
        Author.objects.filter(pk=a.pk).update(merged_into=b)
        Author.objects.filter(pk=b.pk).update(merged_into=a)

        self.assertEqual(self.client.get(f"/authors/{a.pk}/").status_code, 404)

    def test_an_unknown_row_is_404(self):
        self.assertEqual(self.client.get("/authors/999999999/").status_code, 404)


class PaperPageTests(SamplePageTestCase):
    def test_it_shows_metadata_authors_abstract_and_provenance(self):
        response = self.client.get(self.paper.get_absolute_url())

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<title>Localizing Knowledge in Diffusion Transformers · Arrow</title>")
        self.assertContains(response, "Where this record came from")
        self.assertContains(response, "arrow-seed")
        self.assertContains(response, "seed-1")
        self.assertContains(response, 'PixArt-<span class="math">α</span>')
        for authorship in self.paper.authorships.all():
            self.assertContains(response, f'href="/authors/{authorship.author_id}/"')

    def test_it_links_the_doi_and_url(self):
        paper = make_paper(doi="10.1234/abc", url="https://example.org/paper", dblp_key="conf/x/Y24")

        response = self.client.get(paper.get_absolute_url())

        self.assertContains(response, '<a href="https://doi.org/10.1234/abc">10.1234/abc</a>', html=True)
        self.assertContains(response, '<a href="https://example.org/paper">https://example.org/paper</a>', html=True)
        self.assertContains(response, 'href="https://dblp.org/rec/conf/x/Y24"')

    def test_a_non_http_url_is_not_a_link(self):
        paper = make_paper(url="javascript:alert(1)")

        response = self.client.get(paper.get_absolute_url())

        self.assertNotContains(response, 'href="javascript:')
        self.assertContains(response, "javascript:alert(1)")

    def test_the_short_and_stale_urls_redirect_to_the_canonical_one(self):
        canonical = self.paper.get_absolute_url()

        self.assertRedirects(self.client.get(f"/papers/{self.paper.pk}/"), canonical, status_code=301)
        self.assertRedirects(self.client.get(f"/papers/{self.paper.pk}/old-title/"), canonical, status_code=301)

    def test_an_unknown_paper_is_404(self):
        self.assertEqual(self.client.get("/papers/999999999/").status_code, 404)


class EscapingTests(TestCase):
    """Imported text is data: hostile titles, abstracts, names and venues come out escaped everywhere."""

    @classmethod
    def setUpTestData(cls):
        cls.author = make_author(f"Eve {HOSTILE}")
        cls.venue = make_venue(short_name=f"V{HOSTILE}", slug="hostile-venue")
        cls.paper = make_paper(
            [cls.author],
            venue=cls.venue,
            title=f"*{HOSTILE}* and ${HOSTILE}$",
            abstract=f"\\emph{{{HOSTILE}}} **{HOSTILE}** {HOSTILE}",
        )

    def test_no_page_lets_markup_through(self):
        urls = [
            self.paper.get_absolute_url(),
            self.author.get_absolute_url(),
            self.author.cluster.get_absolute_url(),
            self.venue.get_absolute_url(),
            "/papers/",
            "/venues/",
            "/search/?q=script",
            "/search/?q=" + HOSTILE,
        ]
        for url in urls:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            html = response.content.decode()
            self.assertNotIn("<script>", html, url)
            self.assertNotIn("<img", html, url)
            self.assertIn("&lt;script&gt;", html, url)


class PaperListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.iclr = make_venue(short_name="ICLR")
        cls.icml = make_venue(short_name="ICML")
        cls.ada = make_author("Ada Lovelace")
        cls.old = make_paper([cls.ada], title="Analytical engines", year=1843, venue=cls.iclr)
        cls.mid = make_paper([], title="Bernoulli numbers", year=2000, venue=cls.icml, pub_type="journal-article")
        cls.new = make_paper([cls.ada], title="Diffusion everywhere", year=2024, venue=cls.iclr)

    def titles(self, params=None, status=200):
        response = self.client.get("/papers/", params or {})
        self.assertEqual(response.status_code, status, response.content.decode()[:2000])
        return [paper.title for paper in response.context["page_obj"]]

    def test_it_lists_newest_first(self):
        self.assertEqual(self.titles(), ["Diffusion everywhere", "Bernoulli numbers", "Analytical engines"])

    def test_each_filter(self):
        self.assertEqual(self.titles({"q": "bernoulli"}), ["Bernoulli numbers"])
        self.assertEqual(self.titles({"year": 2000}), ["Bernoulli numbers"])
        self.assertEqual(self.titles({"year_min": 1900, "year_max": 2023}), ["Bernoulli numbers"])
        self.assertEqual(self.titles({"venue": "iclr"}), ["Diffusion everywhere", "Analytical engines"])
        self.assertEqual(self.titles({"type": "journal-article"}), ["Bernoulli numbers"])
        self.assertEqual(self.titles({"author": self.ada.pk}), ["Diffusion everywhere", "Analytical engines"])
        self.assertEqual(self.titles({"venue": "ICLR", "year_max": 2000}), ["Analytical engines"])

    def test_it_sorts(self):
        oldest_first = ["Analytical engines", "Bernoulli numbers", "Diffusion everywhere"]
        self.assertEqual(self.titles({"o": "year"}), oldest_first)
        self.assertEqual(self.titles({"o": "title"}), oldest_first)
        self.assertEqual(self.titles({"o": "-title"}), oldest_first[::-1])

    def test_invalid_parameters_are_a_400_with_a_message(self):
        for params in (
            {"year": "abc"},
            {"year": "2024.5"},
            {"year": 10**12},
            {"o": "abstract"},
            {"author": -1},
            {"o": ",,"},
        ):
            response = self.client.get("/papers/", params)
            self.assertEqual(response.status_code, 400, params)
            self.assertContains(response, "Some filters could not be used", status_code=400)
        self.assertContains(self.client.get("/papers/", {"o": "year,"}), "none left empty", status_code=400)

    def test_unknown_parameters_are_ignored(self):
        self.assertEqual(len(self.titles({"utm_source": "x"})), 3)

    def test_the_filter_state_is_in_the_page_links(self):
        for n in range(60):
            make_paper(title=f"Filler {n}", year=1999, venue=self.icml)

        response = self.client.get("/papers/", {"venue": "ICML", "o": "-year"})

        self.assertContains(response, "?venue=ICML&amp;o=-year&amp;page=2")


class VenueAndHomeAndSearchTests(SamplePageTestCase):
    def test_home_shows_counts_and_a_search_form(self):
        response = self.client.get("/")

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["paper_count"], 9)
        self.assertEqual(response.context["cluster_count"], NameCluster.objects.with_papers().count())
        self.assertContains(response, 'role="search"', count=2)
        self.assertContains(response, f'action="{reverse("papers:search")}"')

    def test_the_venue_list_and_page(self):
        neurips = Venue.objects.get(short_name="NeurIPS")

        listing = self.client.get("/venues/")
        page = self.client.get(f"/venues/{neurips.slug}/")

        self.assertContains(listing, f'<a href="/venues/{neurips.slug}/">NeurIPS</a>', html=True)
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.context["paginator"].count, neurips.papers.count())
        self.assertEqual(self.client.get("/venues/no-such-venue/").status_code, 404)

    def test_search_finds_clusters_by_name_and_papers_by_title(self):
        response = self.client.get("/search/", {"q": "REZAEI"})

        self.assertEqual([c.slug for c in response.context["clusters"]], ["keivan-rezaei"])
        self.assertContains(response, '<a href="/clusters/keivan-rezaei/">Keivan Rezaei</a>', html=True)
        papers = self.client.get("/search/", {"q": "diffusion transformers"}).context["papers"]
        self.assertEqual([p.title for p in papers], ["Localizing Knowledge in Diffusion Transformers"])

    def test_search_with_no_query_shows_just_the_form(self):
        response = self.client.get("/search/")

        self.assertEqual(response.status_code, 200)
        self.assertNotIn("clusters", response.context)

    def test_a_too_long_query_is_cut_to_200_characters(self):
        # Issue 6: a pasted paragraph is searched by its first 200 characters instead of refused.
        response = self.client.get("/search/", {"q": "x" * 201})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["q"], "x" * 200)

    def test_every_page_has_a_title_breadcrumbs_and_the_header_search(self):
        urls = ["/", "/papers/", "/venues/", "/search/?q=k", "/clusters/keivan-rezaei/", self.paper.get_absolute_url()]
        urls.append(self.rows[0].get_absolute_url())
        for url in urls:
            response = self.client.get(url)
            self.assertContains(response, '<nav class="breadcrumbs" aria-label="Breadcrumb">', msg_prefix=url)
            self.assertContains(response, '<input id="site-q" type="search" name="q"', msg_prefix=url)
            self.assertRegex(response.content.decode(), r"<title>[^<]+ · Arrow</title>")

    def test_no_inline_script_or_style(self):
        urls = ["/", "/papers/", "/clusters/keivan-rezaei/", self.paper.get_absolute_url()]
        for url in urls:
            html = self.client.get(url).content.decode()
            # JSON-LD data blocks are allowed: browsers never execute them (tests/test_metadata.py).
            html = html.replace('<script type="application/ld+json">', "")
            self.assertNotIn("<script", html, url)
            self.assertNotIn("<style", html, url)
            self.assertNotIn("style=", html, url)


class DisplayLabelTests(TestCase):
    def test_the_labels_are_djangos_display_values(self):
        # Paper.pub_type_label and Venue.kind_label stand in for get_*_display() on the pages.
        for value, _ in Paper.Type.choices:
            self.assertEqual(Paper(pub_type=value).pub_type_label, Paper(pub_type=value).get_pub_type_display())
        for value, _ in Venue.Kind.choices:
            self.assertEqual(Venue(kind=value).kind_label, Venue(kind=value).get_kind_display())
        self.assertEqual(Paper(pub_type="unknown").pub_type_label, Paper(pub_type="unknown").get_pub_type_display())
