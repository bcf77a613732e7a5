"""The filters that show imported titles and abstracts: escaping first, then a little markup."""

from html.parser import HTMLParser

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from papers.text import plain_text, rich_text, safe_href, split_abstract

ALLOWED_TAGS = {"em", "strong", "span"}
# Characters that matter to the markup and to HTML, to build awkward inputs from.
PIECES = "ab <>&\"'*$\\{}_^"


class TagChecker(HTMLParser):
    """Collects every tag and checks they nest properly."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.tags: list[tuple[str, list]] = []
        self.broken = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))
        self.open.append(tag)

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.broken = True


class RichTextTests(SimpleTestCase):
    def test_tex_becomes_readable_unicode(self):
        self.assertEqual(rich_text("PixArt-$\\alpha$"), 'PixArt-<span class="math">α</span>')
        self.assertEqual(plain_text("PixArt-$\\alpha$"), "PixArt-α")
        self.assertEqual(plain_text("$O(n^2)$ and $x_{10}$"), "O(n²) and x₁₀")
        self.assertEqual(plain_text("$\\ell_p \\leq \\epsilon$"), "ℓ_p ≤ ϵ")

    def test_unknown_tex_stays_as_written(self):
        self.assertEqual(plain_text("$\\frobnicate x$"), "\\frobnicate x")

    def test_dollar_amounts_are_not_math(self):
        self.assertEqual(rich_text("costs $5 and $10"), "costs $5 and $10")

    def test_emphasis(self):
        self.assertEqual(rich_text("a *model personalization* b"), "a <em>model personalization</em> b")
        self.assertEqual(rich_text("**bold**"), "<strong>bold</strong>")
        self.assertEqual(rich_text("a \\emph{segment auction}"), "a <em>segment auction</em>")
        self.assertEqual(rich_text("2*3*4 and a * b * c"), "2*3*4 and a * b * c")

    def test_it_escapes_before_adding_markup(self):
        hostile = '*<script>alert(1)</script>* $<img src=x onerror=alert(1)>$ \\emph{<b>"x"</b>}'

        html = rich_text(hostile)

        self.assertNotIn("<script", html)
        self.assertNotIn("<img", html)
        self.assertNotIn("<b>", html)
        self.assertIn("<em>&lt;script&gt;alert(1)&lt;/script&gt;</em>", html)
        self.assertIn("&quot;x&quot;", html)

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from([*PIECES, "\\emph{", "\\textbf{", "\\alpha", "**", "$x$"])).map("".join))
    def test_any_text_gives_only_our_tags_properly_nested(self, text):
        checker = TagChecker()
        checker.feed(str(rich_text(text)))
        checker.close()

        self.assertFalse(checker.broken, text)
        self.assertEqual(checker.open, [], text)
        for tag, attrs in checker.tags:
            self.assertIn(tag, ALLOWED_TAGS, text)
            self.assertIn(attrs, ([], [("class", "math")]), text)

    @settings(max_examples=200, deadline=None)
    @given(st.text())
    def test_plain_text_never_has_a_tag(self, text):
        self.assertNotIn("<", str(plain_text(text)))


class SplitAbstractTests(SimpleTestCase):
    def test_short_abstracts_are_not_folded(self):
        self.assertEqual(split_abstract("Short. Text."), ("Short. Text.", ""))

    def test_long_abstracts_split_at_a_sentence_end(self):
        text = "Sentence one is here. " * 60

        shown, folded = split_abstract(text)

        self.assertTrue(shown.endswith("."))
        self.assertGreaterEqual(len(shown), 500)
        self.assertEqual(f"{shown} {folded}", text)


class SafeHrefTests(SimpleTestCase):
    def test_only_http_links(self):
        self.assertEqual(safe_href("https://example.org/x"), "https://example.org/x")
        self.assertEqual(safe_href("HTTP://example.org"), "HTTP://example.org")
        self.assertEqual(safe_href("javascript:alert(1)"), "")
        self.assertEqual(safe_href(" data:text/html,x"), "")
        self.assertEqual(safe_href(""), "")
