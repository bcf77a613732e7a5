"""The SVG charts (papers/charts/) and the reads behind them (authors/selectors.py)."""

import re
import xml.etree.ElementTree as ET
from collections import Counter

from django.db.models import Count
from django.template.loader import render_to_string
from django.test import TestCase

from authors.models import Author, NameCluster
from authors.selectors import (
    TIMELINE_PAPERS_MAX,
    TIMELINE_ROWS_MAX,
    ClusterFacts,
    author_coauthor_graph,
    author_coauthor_graph_chart,
    author_papers_per_year,
    author_papers_per_year_chart,
    cluster_timeline,
    cluster_timeline_chart,
)
from papers.charts import ChartPaper, TimelineRow, timeline_svg
from papers.models import Paper, Venue
from papers.page_mixins import PAGE_SIZE
from tests.factories import make_author, make_paper, make_venue, refresh_counts
from tests.pages_data import make_big_cluster

NS = {"svg": "http://www.w3.org/2000/svg"}
# \x08 and \ufffe are not allowed in XML 1.0 at all (PostgreSQL refuses \x00, so it cannot reach us).
HOSTILE = "Eve <script>alert(\"x\")</script> & 'Co' ]]> \x08\ufffe"


def parse(chart) -> ET.Element:
    """The chart's SVG as XML: raises if it is not well formed."""
    return ET.fromstring(str(chart.svg))  # noqa: S314 (our own output, no entities)


def by_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [el for el in root.iter() if name in (el.get("class") or "").split()]


def title_of(el: ET.Element) -> str:
    return el.find("svg:title", NS).text


class ChartTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        conf = make_venue(short_name="NeurIPS", kind=Venue.Kind.CONFERENCE)
        journal = make_venue(short_name="JMLR", kind=Venue.Kind.JOURNAL)
        arxiv = make_venue(short_name="CoRR", kind=Venue.Kind.PREPRINT)
        cls.ada1 = make_author("Ada Lovelace 0001")
        cls.ada2 = make_author("Ada Lovelace 0002")
        cls.bob, cls.cy, cls.dee, cls.eve = (make_author(n) for n in ("Bob B", "Cy C", "Dee D", "Eve E"))
        # Ada 0001: 2015-2017 with Bob and Cy; Ada 0002: 2021-2022 with Dee and Eve.
        cls.early = [
            make_paper([cls.ada1, cls.bob, cls.cy], year=2015, venue=conf),
            make_paper([cls.ada1, cls.bob], year=2015, venue=journal),
            make_paper([cls.ada1, cls.bob, cls.cy], year=2017, venue=conf),
            make_paper([cls.ada1], year=None, venue=None),
        ]
        cls.late = [
            make_paper([cls.ada2, cls.dee, cls.eve], year=2021, venue=arxiv),
            make_paper([cls.ada2, cls.dee], year=2022, venue=conf),
        ]
        cls.cluster = cls.ada1.cluster
        for author in (cls.ada1, cls.ada2):
            author.refresh_from_db()


class TimelineTests(ChartTestCase):
    def test_it_is_well_formed_svg_with_an_accessible_name(self):
        chart = cluster_timeline_chart(cluster=self.cluster)
        root = parse(chart)
        self.assertEqual(root.tag, "{http://www.w3.org/2000/svg}svg")
        # A group, not an image: its row labels are links, which an image would hide.
        self.assertEqual(root.get("role"), "group")
        self.assertEqual(root.get("width"), "100%")
        self.assertTrue(root.get("viewBox").startswith("0 0 "))
        title = root.find(f"svg:title[@id='{root.get('aria-labelledby')}']", NS)
        self.assertEqual(title.text, "Papers by year for each author row named Ada Lovelace")
        desc = root.find(f"svg:desc[@id='{root.get('aria-describedby')}']", NS)
        self.assertIn("Ada Lovelace 0001: 4 papers, 2015–2017", desc.text)
        self.assertIn("Ada Lovelace 0002: 2 papers, 2021–2022", desc.text)

    def test_it_links_every_row_label_to_its_author_row(self):
        root = parse(cluster_timeline_chart(cluster=self.cluster))
        links = by_class(root, "tl-link")
        self.assertEqual(
            {a.get("data-author"): a.get("href") for a in links},
            {str(a.pk): a.get_absolute_url() for a in (self.ada1, self.ada2)},
        )
        for link in links:
            # SVG 2 href (no xlink), the whole label as the link's name, the visible label inside.
            self.assertEqual(link.tag, "{http://www.w3.org/2000/svg}a")
            self.assertFalse([name for name in link.attrib if "xlink" in name])
            (text,) = link.findall("svg:text", NS)
            self.assertEqual(title_of(link), text.text)
        self.assertEqual(title_of(links[0]), "Ada Lovelace 0001 (4)")

    def test_it_hides_the_marks_and_axis_from_assistive_tech_but_not_the_links(self):
        root = parse(cluster_timeline_chart(cluster=self.cluster))
        hidden = [el for el in root.iter() if el.get("aria-hidden") == "true"]
        self.assertEqual({el.get("class") for el in hidden}, {"tl-row", "tl-grid"})
        inside_hidden = {id(child) for el in hidden for child in el.iter()}
        self.assertFalse([a for a in by_class(root, "tl-link") if id(a) in inside_hidden])
        self.assertTrue(all(id(m) in inside_hidden for m in by_class(root, "tl-mark")))

    def test_a_long_label_is_cut_but_its_link_keeps_the_whole_name(self):
        name = "Ada Augusta King Countess of Lovelace Byron"
        row = TimelineRow(author_pk=7, label=name, url="/authors/7/", papers=(ChartPaper(1, "T", 2020, "", "", "/p/"),))
        (link,) = by_class(parse(timeline_svg(rows=[row], title="T")), "tl-link")
        self.assertEqual(title_of(link), f"{name} (1)")
        self.assertTrue(link.find("svg:text", NS).text.endswith("…"))

    def test_it_draws_exactly_one_mark_per_paper_of_each_row(self):
        root = parse(cluster_timeline_chart(cluster=self.cluster))
        rows = {row.get("data-author"): row for row in by_class(root, "tl-row")}
        for author in (self.ada1, self.ada2):
            marks = [m.get("data-paper") for m in by_class(rows[str(author.pk)], "tl-mark")]
            expected = Paper.objects.by_author(author.pk).values_list("pk", flat=True)
            self.assertCountEqual(marks, [str(pk) for pk in expected])
        self.assertEqual(len(by_class(root, "tl-mark")), 6)

    def test_it_names_each_paper_and_its_venue_kind_in_the_mark(self):
        root = parse(cluster_timeline_chart(cluster=self.cluster))
        marks = {m.get("data-paper"): m for m in by_class(root, "tl-mark")}
        paper = self.late[0]
        mark = marks[str(paper.pk)]
        self.assertEqual(title_of(mark), f"{paper.title} (2021, CoRR, Preprint server)")
        parents = {child: parent for parent in root.iter() for child in parent}
        self.assertEqual(parents[mark].get("class"), "tl-kind tl-preprint")
        self.assertEqual(parents[mark].get("fill"), "#B0488F")
        # Shape as well as colour: a preprint is a diamond path, a conference paper a circle.
        self.assertEqual(mark.tag, "{http://www.w3.org/2000/svg}path")
        self.assertEqual(marks[str(self.early[0].pk)].tag, "{http://www.w3.org/2000/svg}circle")
        self.assertEqual(title_of(marks[str(self.early[3].pk)]), f"{self.early[3].title} (no year, Other)")

    def test_it_labels_years_and_keeps_empty_years_on_the_axis(self):
        root = parse(cluster_timeline_chart(cluster=self.cluster))
        labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        for year in ("2015", "2016", "2018", "2022", "no year"):
            self.assertIn(year, labels)
        # The legend names each kind present, and only those.
        for kind in ("Conference", "Journal", "Preprint server", "Other"):
            self.assertIn(kind, labels)
        self.assertNotIn("Workshop", labels)

    def test_it_returns_the_text_alternative_data(self):
        chart = cluster_timeline_chart(cluster=self.cluster)
        rows = {row.author_pk: row for row in chart.data}
        self.assertEqual([y for y, _ in rows[self.ada1.pk].by_year], [2015, 2017, None])
        html = render_to_string("charts/_timeline.html", {"chart": chart})
        self.assertIn('class="visually-hidden"', html)
        self.assertIn(f"{self.early[1].title} (2015, JMLR, Journal)", html)
        self.assertIn("No year:", html)

    def test_it_uses_one_query_with_the_rows_and_two_without(self):
        rows = list(Author.objects.in_cluster(self.cluster))
        with self.assertNumQueries(1):
            cluster_timeline(cluster=self.cluster, rows=rows)
        with self.assertNumQueries(2):
            cluster_timeline(cluster=self.cluster)

    def test_it_uses_the_same_queries_for_a_large_cluster(self):
        venue = make_venue(kind=Venue.Kind.WORKSHOP)
        rows = [make_author(f"Wei Wang {n:04d}") for n in range(1, 9)]
        for i in range(60):
            make_paper([rows[i % 8], self.bob], year=2000 + i % 25, venue=venue if i % 2 else None)
        cluster = rows[0].cluster
        with self.assertNumQueries(2):
            timeline = cluster_timeline(cluster=cluster)
        self.assertEqual(sum(len(row.papers) for row in timeline), 60)
        root = parse(timeline_svg(rows=timeline, title="Wei Wang"))
        self.assertEqual(len(by_class(root, "tl-mark")), 60)

    def test_it_counts_a_paper_once_per_row_even_if_the_row_is_listed_twice(self):
        paper = make_paper([self.ada1, self.ada1], year=2016)
        root = parse(cluster_timeline_chart(cluster=self.cluster))
        self.assertEqual([m.get("data-paper") for m in by_class(root, "tl-mark")].count(str(paper.pk)), 1)

    def test_it_draws_an_empty_cluster(self):
        loner = make_author("Nobody Yet")
        root = parse(cluster_timeline_chart(cluster=loner.cluster))
        self.assertEqual(by_class(root, "tl-mark"), [])
        self.assertIn("No papers yet.", [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")])

    def test_it_is_the_same_every_time(self):
        self.assertEqual(
            cluster_timeline_chart(cluster=self.cluster).svg, cluster_timeline_chart(cluster=self.cluster).svg
        )


class ClusterPageTimelineTests(TestCase):
    """The cluster page draws the timeline on its first page only. Over TIMELINE_PAPERS_MAX papers
    (this one has 120) it counts the papers per row, year and venue kind instead of marking each."""

    @classmethod
    def setUpTestData(cls):
        cls.cluster = make_big_cluster(120)

    def test_the_first_page_draws_the_timeline(self):
        self.cluster.refresh_from_db()
        self.assertGreater(self.cluster.paper_count, TIMELINE_PAPERS_MAX)
        response = self.client.get(self.cluster.get_absolute_url())
        self.assertNotContains(response, 'class="tl-mark"')
        self.assertContains(response, 'class="chart-svg chart-timeline chart-timeline-counts"', count=1)
        self.assertNotContains(response, "Timeline on the first page")

    def test_the_counts_add_up_to_each_rows_papers(self):
        root = parse(self.client.get(self.cluster.get_absolute_url()).context["timeline"])
        for row in Author.objects.in_cluster(self.cluster):
            with self.subTest(row=row.pk):
                (group,) = [g for g in by_class(root, "tl-row") if g.get("data-author") == str(row.pk)]
                counted = sum(int(mark.get("data-count")) for mark in group.iter() if mark.get("class") == "tl-count")
                self.assertEqual(counted, Paper.objects.by_author(row.pk).count())

    def test_the_text_alternative_is_a_table_per_row_by_year_and_kind(self):
        response = self.client.get(self.cluster.get_absolute_url())
        row = Author.objects.in_cluster(self.cluster).first()
        year, n = Paper.objects.by_author(row.pk).values_list("year").annotate(n=Count("pk")).order_by("year")[0]
        total = Paper.objects.by_author(row.pk).count()
        self.assertContains(response, f"<caption>{row.full_name}: {total} papers</caption>")
        # Its year's row: the count under the venue kind of the row's papers that year.
        kind = Paper.objects.by_author(row.pk).filter(year=year).values_list("venue__kind", flat=True).first()
        self.assertEqual(
            {kind}, set(Paper.objects.by_author(row.pk).filter(year=year).values_list("venue__kind", flat=True))
        )
        self.assertContains(response, f'<tr><th scope="row">{year}</th><td>{n}</td></tr>', html=True)
        self.assertNotContains(response, "Big paper 1 on")  # no paper is listed twice: only the page's own

    def test_a_cluster_at_the_limit_still_marks_each_paper(self):
        row = make_author("Small Cluster")
        for n in range(TIMELINE_PAPERS_MAX):
            make_paper([row], title=f"Small paper {n}", year=2000 + n % 10)
        refresh_counts([row])
        response = self.client.get(row.cluster.get_absolute_url())
        self.assertEqual(response.content.decode().count('class="tl-mark"'), TIMELINE_PAPERS_MAX)

    def test_later_pages_link_back_to_it_instead(self):
        response = self.client.get(self.cluster.get_absolute_url(), {"page": 2})
        self.assertEqual(response.context["page_obj"].number, 2)
        self.assertNotIn("timeline", response.context)
        self.assertNotContains(response, "chart-timeline")
        self.assertNotContains(response, "tl-mark")
        url = self.cluster.get_absolute_url()
        self.assertContains(response, f'<a href="{url}?#timeline-heading">Timeline on the first page</a>', html=True)

    def test_the_link_back_keeps_the_filters(self):
        response = self.client.get(self.cluster.get_absolute_url(), {"type": "conference-paper", "page": 2})
        self.assertEqual(response.context["page_obj"].number, 2)
        url = f"{self.cluster.get_absolute_url()}?type=conference-paper#timeline-heading"
        self.assertContains(response, f'<a href="{url}">Timeline on the first page</a>', html=True)
        self.assertContains(self.client.get(url.partition("#")[0]), 'class="chart-svg chart-timeline')

    def test_a_later_page_names_only_its_own_papers(self):
        # The timeline's marks and text alternative named all 120; page 2 names its PAGE_SIZE and no other.
        response = self.client.get(self.cluster.get_absolute_url(), {"page": 2})
        named = set(re.findall(r"Big paper (\d+) on", response.content.decode()))
        listed = {re.match(r"Big paper (\d+) on", paper.title)[1] for paper in response.context["page_obj"]}
        self.assertEqual(len(listed), PAGE_SIZE)
        self.assertEqual(named, listed)


class PapersPerYearTests(ChartTestCase):
    def test_it_has_a_bar_per_year_equal_to_the_database_count(self):
        make_paper([self.ada1], year=2017)
        chart = author_papers_per_year_chart(author=self.ada1)
        root = parse(chart)
        self.assertEqual(root.get("role"), "img")
        bars = {bar.get("data-year"): int(bar.get("data-count")) for bar in by_class(root, "bar")}
        expected = dict(
            Paper.objects.by_author(self.ada1.pk).values_list("year").annotate(n=Count("pk")).order_by("year")
        )
        self.assertEqual(bars, {str(year or ""): n for year, n in expected.items()})
        self.assertEqual(bars, {"2015": 2, "2017": 2, "": 1})
        self.assertEqual(sum(bars.values()), Paper.objects.by_author(self.ada1.pk).count())
        self.assertEqual(title_of(by_class(root, "bar")[0]), "2015: 2 papers")

    def test_it_uses_one_query(self):
        with self.assertNumQueries(1):
            counts = author_papers_per_year(author=self.ada1)
        self.assertEqual([(c.year, c.count) for c in counts], [(2015, 2), (2017, 1), (None, 1)])

    def test_it_renders_a_table_as_text_alternative(self):
        chart = author_papers_per_year_chart(author=self.ada2)
        html = render_to_string("charts/_per_year.html", {"chart": chart})
        self.assertInHTML('<tr><th scope="row">2021</th><td>1</td></tr>', html)
        self.assertIn("2 papers from 2021 to 2022", chart.description)

    def test_it_draws_a_row_without_papers(self):
        root = parse(author_papers_per_year_chart(author=make_author("No Papers")))
        self.assertEqual(by_class(root, "bar"), [])


class CoauthorGraphTests(ChartTestCase):
    def test_it_links_every_node_to_its_author_row(self):
        chart = author_coauthor_graph_chart(author=self.ada1)
        root = parse(chart)
        nodes = {a.get("data-author"): a.get("href") for a in by_class(root, "cg-node")}
        expected = [self.ada1, self.bob, self.cy]
        self.assertEqual(nodes, {str(a.pk): a.get_absolute_url() for a in expected})
        self.assertEqual(nodes[str(self.bob.pk)], f"/authors/{self.bob.pk}/")

    def test_it_weighs_coauthors_and_ties_by_shared_papers(self):
        graph = author_coauthor_graph(author=self.ada1)
        self.assertEqual({n.label: n.weight for n in graph.nodes}, {"Bob B": 3, "Cy C": 2})
        self.assertEqual([(t.a.label, t.b.label, t.weight) for t in graph.ties], [("Bob B", "Cy C", 2)])
        root = parse(author_coauthor_graph_chart(author=self.ada1))
        (tie,) = by_class(root, "cg-tie")
        self.assertEqual(tie.get("data-weight"), "2")
        self.assertEqual(title_of(tie), "Bob B and Cy C: 2 papers together")

    def test_it_counts_ties_only_on_the_rows_papers(self):
        make_paper([self.bob, self.cy], year=2019)  # Ada did not write this one.
        graph = author_coauthor_graph(author=self.ada1)
        self.assertEqual([t.weight for t in graph.ties], [2])

    def test_it_keeps_the_top_n_coauthors(self):
        graph = author_coauthor_graph(author=self.ada1, limit=1)
        self.assertEqual([n.label for n in graph.nodes], ["Bob B"])
        self.assertEqual(graph.ties, ())

    def test_it_colours_the_groups_of_a_split_suggestion(self):
        merged = make_author("Ada Merged")
        for paper in [*self.early, *self.late]:
            make_paper([merged, *(a.author for a in paper.authorships.exclude(author__in=[self.ada1, self.ada2]))])
        papers = list(Paper.objects.by_author(merged.pk).order_by("pk"))
        groups = [
            [p.pk for p in papers if {self.bob.pk, self.cy.pk} & set(p.authorships.values_list("author", flat=True))],
            [p.pk for p in papers if {self.dee.pk, self.eve.pk} & set(p.authorships.values_list("author", flat=True))],
        ]
        graph = author_coauthor_graph(author=merged, paper_groups=groups)
        self.assertEqual(
            {n.label: (n.group, n.group_label) for n in graph.nodes},
            {"Bob B": (0, "Group 1"), "Cy C": (0, "Group 1"), "Dee D": (1, "Group 2"), "Eve E": (1, "Group 2")},
        )
        root = parse(author_coauthor_graph_chart(author=merged, paper_groups=groups))
        labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
        self.assertIn("Group 1", labels)
        # No chord between the two groups: the picture shows why a split is proposed.
        ties = {(t.get("data-a"), t.get("data-b")) for t in by_class(root, "cg-tie")}
        self.assertEqual(ties, {(str(self.bob.pk), str(self.cy.pk)), (str(self.dee.pk), str(self.eve.pk))})
        dots = {a.get("data-author"): a.find("*[@class='cg-dot']") for a in by_class(root, "cg-node")}
        self.assertNotEqual(dots[str(self.bob.pk)].get("fill"), dots[str(self.dee.pk)].get("fill"))
        self.assertNotEqual(dots[str(self.bob.pk)].tag, dots[str(self.dee.pk)].tag)

    def test_it_uses_two_queries_whatever_the_size(self):
        with self.assertNumQueries(2):
            author_coauthor_graph(author=self.ada1)
        many = [make_author() for _ in range(30)]
        for i in range(40):
            make_paper([self.ada1, many[i % 30], many[(i * 7) % 30]])
        with self.assertNumQueries(2):
            graph = author_coauthor_graph(author=self.ada1)
        self.assertEqual(len(graph.nodes), 12)
        parse(author_coauthor_graph_chart(author=self.ada1))

    def test_it_lays_out_the_same_graph_the_same_way(self):
        first = author_coauthor_graph_chart(author=self.ada1).svg
        self.assertEqual(first, author_coauthor_graph_chart(author=self.ada1).svg)

    def test_it_renders_the_text_alternative(self):
        html = render_to_string("charts/_coauthors.html", {"chart": author_coauthor_graph_chart(author=self.ada1)})
        self.assertIn("Bob B: 3 shared papers", html)
        self.assertIn("Bob B and Cy C: 2 papers", html)


class SafetyTests(ChartTestCase):
    def test_it_escapes_hostile_names_and_titles(self):
        eve = make_author(HOSTILE)
        paper = make_paper([eve, self.bob], title=f"</title></svg><script>alert(1)</script>{HOSTILE}", year=2020)
        charts = [
            cluster_timeline_chart(cluster=eve.cluster),
            author_papers_per_year_chart(author=eve),
            author_coauthor_graph_chart(author=eve),
            author_coauthor_graph_chart(author=self.bob),
        ]
        for chart in charts:
            root = parse(chart)  # well formed despite the control characters
            self.assertEqual([el for el in root.iter() if el.tag.endswith("script")], [])
            self.assertNotIn("<script", chart.svg)
        root = parse(charts[0])
        (mark,) = by_class(root, "tl-mark")
        self.assertTrue(title_of(mark).startswith(paper.title.replace("\x08", "").replace("\ufffe", "")))
        names = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
        self.assertIn("Eve <script>alert(\"x\")</script> & 'Co' ]]>  (1)", names)
        (link,) = by_class(root, "tl-link")
        self.assertEqual(link.get("href"), eve.get_absolute_url())

    def test_it_escapes_a_hostile_row_link(self):
        url = 'javascript:alert(1)" onmouseover="alert(2)'
        row = TimelineRow(author_pk=1, label="A", url=url, papers=())
        chart = timeline_svg(rows=[row], title="T")
        (link,) = by_class(parse(chart), "tl-link")
        self.assertEqual(link.get("href"), url)  # one attribute, its value intact
        self.assertEqual(set(link.attrib), {"href", "class", "data-author"})
        self.assertIn('href="javascript:alert(1)&quot; onmouseover=&quot;alert(2)"', chart.svg)

    def test_it_uses_no_inline_style_or_script(self):
        charts = [
            cluster_timeline_chart(cluster=self.cluster),
            author_papers_per_year_chart(author=self.ada1),
            author_coauthor_graph_chart(author=self.ada1),
        ]
        for chart in charts:
            root = parse(chart)
            attributes = Counter(name for el in root.iter() for name in el.attrib)
            self.assertNotIn("style", attributes)
            self.assertFalse([name for name in attributes if name.startswith("on")])

    def test_it_keeps_ids_safe_and_distinct(self):
        row = TimelineRow(author_pk=1, label="A", url="/a/", papers=(ChartPaper(1, "T", 2020, "", "other", "/p/"),))
        root = parse(timeline_svg(rows=[row], title="T", id_prefix='x" onload="alert(1)'))
        self.assertEqual(root.get("aria-labelledby"), "x--onload--alert-1--title")


class ManyRowsTimelineTests(TestCase):
    """A common name has hundreds of rows at a million papers: the counted timeline draws the
    TIMELINE_ROWS_MAX busiest and one line that sums the others."""

    @classmethod
    def setUpTestData(cls):
        cls.rows = [make_author(f"Many Rows {n:04d}") for n in range(1, TIMELINE_ROWS_MAX + 4)]
        for n, row in enumerate(cls.rows):
            for k in range(len(cls.rows) - n):  # row 0 has most papers, the last row one
                make_paper([row], title=f"Paper {k} of row {n}", year=2000 + k % 5)
        cls.cluster = NameCluster.objects.get(pk=cls.rows[0].cluster_id)

    def test_it_draws_the_busiest_rows_and_one_line_for_the_rest(self):
        self.assertGreater(self.cluster.paper_count, TIMELINE_PAPERS_MAX)
        rows = list(Author.objects.in_cluster(self.cluster))
        lines = ClusterFacts(cluster=self.cluster, rows=rows).timeline_counts()
        self.assertEqual(len(lines), TIMELINE_ROWS_MAX + 1)
        self.assertEqual([line.author_pk for line in lines[:-1]], [row.pk for row in rows[:TIMELINE_ROWS_MAX]])
        rest = rows[TIMELINE_ROWS_MAX:]
        self.assertEqual(lines[-1].label, f"{len(rest)} other rows")
        self.assertEqual(lines[-1].total, sum(row.paper_count for row in rest))
        response = self.client.get(self.cluster.get_absolute_url())
        self.assertContains(response, f"<caption>{len(rest)} other rows: {lines[-1].total} papers</caption>")
