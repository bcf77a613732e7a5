"""Citation exports (papers/exports.py): BibTeX, RIS and CSL-JSON, read back with independent parsers."""

from io import StringIO

import bibtexparser
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware
from django.core.management import call_command
from django.test import TestCase
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from papers.exports import (
    PersonName,
    cite_key,
    paper_bibtex,
    paper_csl_json,
    paper_ris,
    papers_bibtex,
    papers_csl_json,
    papers_for_export,
    papers_ris,
    person_name,
    tex_escape,
)
from papers.models import Paper
from tests.conftest import SAMPLE
from tests.factories import make_author, make_paper, make_venue

# CSL 1.0.2 item types (citation-style-language/schema, csl-data.json) that our mapping may produce.
CSL_TYPES = {"paper-conference", "article-journal", "article", "chapter", "book", "thesis", "document"}


def parse_bibtex(text: str, *, decode: bool = False):
    middleware = [LatexDecodingMiddleware()] if decode else []
    library = bibtexparser.parse_string(text, append_middleware=middleware)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return library


def fields(entry) -> dict[str, str]:
    return {f.key: f.value for f in entry.fields}


def exported(paper: Paper) -> Paper:
    """The paper as the export functions expect it: venue joined, authorships prefetched."""
    return papers_for_export(Paper.objects.filter(pk=paper.pk)).get()


class PersonNameTests(TestCase):
    def test_it_splits_family_and_given_names(self):
        cases = {
            "Keivan Rezaei": PersonName("Rezaei", "Keivan"),
            "Wenxiao Wang 0002": PersonName("Wang", "Wenxiao"),
            "Vinu Sankar Sadasivan": PersonName("Sadasivan", "Vinu Sankar"),
            "Johannes van der Waals": PersonName("van der Waals", "Johannes"),
            "Martin Luther King Jr.": PersonName("King", "Martin Luther", "Jr."),
            "Lovelace, Ada": PersonName("Lovelace", "Ada"),
            "Madonna": PersonName("Madonna"),
            "  Søren   Hauberg ": PersonName("Hauberg", "Søren"),
        }
        for printed, expected in cases.items():
            with self.subTest(printed):
                self.assertEqual(person_name(printed), expected)


class CiteKeyTests(TestCase):
    def test_it_uses_first_author_year_and_first_significant_title_word(self):
        paper = make_paper([make_author("Keivan Rezaei"), make_author("Soheil Feizi")], title="On the PRIME Method")

        self.assertEqual(cite_key(exported(paper)), "rezaei2024prime")

    def test_it_folds_accents_and_skips_math(self):
        paper = make_paper([make_author("Zoë Müller")], title="$\\alpha$-Nets for Ünits", year=2019)

        self.assertEqual(cite_key(exported(paper)), "muller2019nets")

    def test_it_has_fallbacks_for_missing_parts(self):
        paper = make_paper([], title="?", year=None)

        self.assertEqual(cite_key(exported(paper)), "anonnd")

    def test_it_makes_keys_unique_within_a_list(self):
        author = make_author("Keivan Rezaei")
        papers = [make_paper([author], title=f"Prime part {n}") for n in range(3)]

        exports = papers_for_export(Paper.objects.filter(pk__in=[p.pk for p in papers]).order_by("pk"))
        ids = [item["id"] for item in papers_csl_json(exports)]

        self.assertEqual(ids, ["rezaei2024prime", "rezaei2024primeb", "rezaei2024primec"])


class BibtexTests(TestCase):
    def test_it_writes_a_complete_inproceedings_entry(self):
        venue = make_venue(short_name="ICLR", full_name="International Conference on Learning Representations")
        paper = make_paper(
            [make_author("Mehrdad Saberi"), make_author("Keivan Rezaei")],
            title="Robustness of AI-Image Detectors",
            venue=venue,
            doi="10.1234/abc_1",
            arxiv_id="2310.00076",
            abstract="We study detectors.",
        )

        self.assertEqual(
            paper_bibtex(exported(paper)),
            "@inproceedings{saberi2024robustness,\n"
            "  author        = {Saberi, Mehrdad and Rezaei, Keivan},\n"
            "  title         = {Robustness of {AI-Image} Detectors},\n"
            "  booktitle     = {International Conference on Learning Representations},\n"
            "  year          = {2024},\n"
            "  doi           = {10.1234/abc_1},\n"
            "  url           = {https://arxiv.org/abs/2310.00076},\n"
            "  eprint        = {2310.00076},\n"
            "  archiveprefix = {arXiv},\n"
            "  abstract      = {We study detectors.},\n"
            "}\n",
        )

    def test_it_escapes_accents_and_tex_specials(self):
        paper = make_paper(
            [make_author("Sébastien Lahaie"), make_author("Łukasz Kaiser"), make_author("Dragoş Ştefan")],
            title="Costs & 50% of #1 a_b {x} ~ ^ \\ in Zürich",
        )

        entry = fields(parse_bibtex(paper_bibtex(exported(paper))).entries[0])

        self.assertEqual(
            entry["author"], "Lahaie, S{\\'e}bastien and Kaiser, {\\L}ukasz and {\\c{S}}tefan, Drago{\\c{s}}"
        )
        for escaped in ["{\\&}", "50{\\%}", "{\\#}1", "a{\\_}b", "{\\{}x{\\}}", "{\\textbackslash}", 'Z{\\"u}rich']:
            self.assertIn(escaped, entry["title"])
        self.assertTrue(paper_bibtex(exported(paper)).isascii())

    def test_it_decodes_back_to_the_original_text(self):
        title = "Über Costs & 50% of #1 a_b {x} for Søren, Łukasz and Chloé"
        paper = make_paper([make_author("Chloé Clavel")], title=title, abstract="100% “quoted” ~ text")

        entry = fields(parse_bibtex(paper_bibtex(exported(paper)), decode=True).entries[0])

        self.assertEqual(entry["title"], title)
        self.assertEqual(entry["abstract"], "100% “quoted” ~ text")
        self.assertEqual(entry["author"], "Clavel, Chloé")

    def test_it_keeps_tex_math_in_titles_and_abstracts(self):
        paper = make_paper(
            [make_author()],
            title="PixArt-$\\alpha$ and $O(n^{2})$ bounds cost $5 and $10",
            abstract="Uses $\\mathcal{O}(\\log n)$ memory.",
        )

        entry = fields(parse_bibtex(paper_bibtex(exported(paper))).entries[0])

        self.assertEqual(entry["title"], "{PixArt-}{$\\alpha$} and {$O(n^{2})$} bounds cost {\\$}5 and {\\$}10")
        self.assertEqual(entry["abstract"], "Uses {$\\mathcal{O}(\\log n)$} memory.")

    def test_it_keeps_cjk_as_utf8(self):
        self.assertEqual(tex_escape("深度学习 & café"), "深度学习 {\\&} caf{\\'e}")

    def test_it_picks_the_entry_type_and_venue_field_from_pub_type(self):
        venue = make_venue(short_name="Venue X")
        expected = {
            Paper.Type.CONFERENCE_PAPER: ("inproceedings", "booktitle"),
            Paper.Type.JOURNAL_ARTICLE: ("article", "journal"),
            Paper.Type.PREPRINT: ("misc", "howpublished"),
            Paper.Type.BOOK_CHAPTER: ("incollection", "booktitle"),
            Paper.Type.BOOK: ("book", "series"),
            Paper.Type.THESIS: ("phdthesis", "school"),
            Paper.Type.OTHER: ("misc", "howpublished"),
        }
        for pub_type, (entry_type, venue_field) in expected.items():
            with self.subTest(pub_type):
                paper = make_paper([make_author()], pub_type=pub_type, venue=venue)
                entry = parse_bibtex(paper_bibtex(exported(paper))).entries[0]
                self.assertEqual(entry.entry_type, entry_type)
                self.assertEqual(fields(entry)[venue_field], "Venue X")

    def test_it_keeps_doi_and_url_verbatim_but_balanced(self):
        paper = make_paper([make_author()], doi="10.1002/(sici)1_2%3", url="https://example.org/a_b?x={y}")

        entry = fields(parse_bibtex(paper_bibtex(exported(paper))).entries[0])

        self.assertEqual(entry["doi"], "10.1002/(sici)1_2%3")
        self.assertEqual(entry["url"], "https://example.org/a_b?x=%7By%7D")

    def test_it_exports_the_sample_file(self):
        call_command("import_papers", str(SAMPLE), stdout=StringIO())

        text = papers_bibtex(papers_for_export(Paper.objects.all()))
        library = parse_bibtex(text)

        self.assertEqual(len(library.entries), 9)
        self.assertEqual(len({e.key for e in library.entries}), 9)
        self.assertIn("PixArt-{$\\alpha$}", text)


# Any character a PostgreSQL text column can hold (not NUL, not a lone surrogate).
TEXT = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


class BibtexPropertyTests(HypothesisTestCase):
    @settings(max_examples=60, deadline=None)
    @given(title=st.text(TEXT, min_size=1, max_size=80).filter(str.strip), name=st.text(TEXT, min_size=1, max_size=30))
    def test_any_title_and_name_give_one_parseable_entry(self, title, name):
        paper = make_paper([make_author(name.strip() or "X")], title=title)

        library = parse_bibtex(paper_bibtex(exported(paper)))

        self.assertEqual(len(library.entries), 1)
        self.assertIn("title", fields(library.entries[0]))


class RisTests(TestCase):
    def test_it_writes_a_record_that_rispy_reads(self):
        venue = make_venue(short_name="TMLR", full_name="Transactions on Machine Learning Research", kind="journal")
        paper = make_paper(
            [make_author("Keivan Rezaei"), make_author("Johannes van der Waals")],
            title="RESTOR: Knowledge & $\\alpha$",
            pub_type=Paper.Type.JOURNAL_ARTICLE,
            venue=venue,
            year=2025,
            doi="10.1/x",
            url="https://example.org/p",
            abstract="Line one.\nLine two.",
        )

        text = paper_ris(exported(paper))
        (record,) = rispy.loads(text)

        self.assertTrue(text.startswith("TY  - JOUR\r\n"))
        self.assertTrue(text.endswith("ER  - \r\n"))
        self.assertEqual(record["type_of_reference"], "JOUR")
        self.assertEqual(record["authors"], ["Rezaei, Keivan", "van der Waals, Johannes"])
        self.assertEqual(record["title"], "RESTOR: Knowledge & $\\alpha$")
        self.assertEqual(record["year"], "2025")
        self.assertEqual(record["secondary_title"], "Transactions on Machine Learning Research")
        self.assertEqual(record["journal_name"], "Transactions on Machine Learning Research")
        self.assertEqual(record["alternate_title1"], "TMLR")
        self.assertEqual(record["doi"], "10.1/x")
        self.assertEqual(record["urls"], ["https://example.org/p"])
        self.assertEqual(record["abstract"], "Line one. Line two.")

    def test_it_maps_types(self):
        expected = {
            Paper.Type.CONFERENCE_PAPER: "CPAPER",
            Paper.Type.JOURNAL_ARTICLE: "JOUR",
            Paper.Type.PREPRINT: "UNPB",
            Paper.Type.BOOK_CHAPTER: "CHAP",
            Paper.Type.BOOK: "BOOK",
            Paper.Type.THESIS: "THES",
            Paper.Type.OTHER: "GEN",
        }
        for pub_type in expected:
            make_paper([make_author()], pub_type=pub_type)

        records = rispy.loads(papers_ris(papers_for_export(Paper.objects.order_by("pk"))))

        self.assertEqual([r["type_of_reference"] for r in records], list(expected.values()))


class CslJsonTests(TestCase):
    def test_it_writes_a_csl_item(self):
        venue = make_venue(short_name="NeurIPS", full_name="Advances in Neural Information Processing Systems")
        paper = make_paper(
            [make_author("Arman Zarei"), make_author("Keivan Rezaei 0001")],
            title="Localizing $\\alpha$",
            venue=venue,
            year=2025,
            doi="10.5/y",
            abstract="Abstract.",
        )

        self.assertEqual(
            paper_csl_json(exported(paper)),
            {
                "id": "zarei2025localizing",
                "type": "paper-conference",
                "title": "Localizing $\\alpha$",
                "author": [{"family": "Zarei", "given": "Arman"}, {"family": "Rezaei", "given": "Keivan"}],
                "issued": {"date-parts": [[2025]]},
                "container-title": "Advances in Neural Information Processing Systems",
                "container-title-short": "NeurIPS",
                "DOI": "10.5/y",
                "abstract": "Abstract.",
            },
        )

    def test_it_leaves_out_what_the_paper_lacks(self):
        paper = make_paper([], title="Bare", year=None, pub_type=Paper.Type.OTHER)

        self.assertEqual(paper_csl_json(exported(paper)), {"id": "anonndbare", "type": "document", "title": "Bare"})

    def test_it_uses_csl_types(self):
        for pub_type in Paper.Type.values:
            with self.subTest(pub_type):
                item = paper_csl_json(exported(make_paper([], pub_type=pub_type)))
                self.assertIn(item["type"], CSL_TYPES)


class ExportQueryTests(TestCase):
    def test_it_runs_no_query_once_the_papers_are_loaded(self):
        venue = make_venue()
        authors = [make_author() for _ in range(4)]
        for n in range(10):
            make_paper(authors[n % 3 :], venue=venue if n % 2 else None)

        # Expect 2 queries: papers joined with venues, then authorships joined with author rows.
        with self.assertNumQueries(2):
            papers = list(papers_for_export(Paper.objects.all()))
        with self.assertNumQueries(0):
            papers_bibtex(papers)
            papers_ris(papers)
            papers_csl_json(papers)


class TexCommandsTests(TestCase):
    """Imported text reaches a reader's LaTeX build: math that only typesets is kept, anything else
    in a $…$ span is escaped as text (issue 22, item 5)."""

    HOSTILE_MATH = [
        r"$\input{/etc/passwd}$",
        r"$\immediate\write18{rm -rf ~}$",
        r"$\def\x{y}\x$",
        r"$\csname input\endcsname{/etc/passwd}$",
        r"$a^^5cinput{/etc/passwd}$",
        r"$x % \input{y}$",
        r"$\openout1=x$",
        r"$\catcode`\^^5c=12$",
    ]

    def test_math_that_typesets_is_kept(self):
        for math in (r"$\alpha$", r"$\frac{a}{b} \leq \mathbb{R}^n$", r"$O(n \log n)$", r"$\sqrt{2}$"):
            with self.subTest(math):
                self.assertEqual(tex_escape(f"PixArt {math}"), f"PixArt {{{math}}}")

    def test_any_other_command_in_math_is_text(self):
        for math in self.HOSTILE_MATH:
            with self.subTest(math):
                escaped = tex_escape(f"Title {math} end")
                for command in ("input", "write18", "def", "csname", "openout", "catcode"):
                    self.assertNotIn(f"\\{command}", escaped)
                self.assertNotIn("^^", escaped)
                self.assertNotIn("{$", escaped)

    def test_the_bib_file_of_a_hostile_paper_parses_and_says_the_text(self):
        paper = make_paper(
            [make_author("Eve Hacker")], title=r"Owned $\input{/etc/passwd}$ twice", abstract=r"$\write18{x}$"
        )
        bib = papers_bibtex([exported(paper)])
        self.assertNotIn(r"\input", bib)
        self.assertNotIn(r"\write18", bib)
        entry = parse_bibtex(bib, decode=True).entries[0]
        self.assertIn("input{/etc/passwd}", fields(entry)["title"])
