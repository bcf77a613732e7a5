"""Which pages the page benchmark times: each kind a list of different URLs picked from the database
deterministically, so neither a page cache nor a warm fragment cache can stand in for rendering."""

import re
import urllib.parse

PAGES_PER_KIND = 100
KINDS = ("cluster", "list", "search", "author", "paper", "venue")
# Title words too common or too short to make a search of two words: English stop words of 4+ letters.
_STOP_WORDS = """
about above after again against among been before being below between both during each from further
have having here into itself more most other over same should some such than that their them then
there these they this those through under until upon very were what when where which while with
within without would your
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def spread(items: list, count: int = PAGES_PER_KIND) -> list:
    """`count` items evenly spaced over `items` (all of them if there are no more)."""
    if len(items) <= count:
        return list(items)
    return [items[i * len(items) // count] for i in range(count)]


def quoted(segment: str) -> str:
    return urllib.parse.quote(segment, safe="")


def year_venue_pairs(conn) -> list[tuple[int, str, int]]:
    """(year, venue short name, venue id) of 100 pairs that have papers, spread from the busiest to the rarest."""
    rows = conn.execute(
        "SELECT p.year, v.short_name, v.id FROM papers_paper p JOIN papers_venue v ON v.id = p.venue_id "
        "WHERE p.year IS NOT NULL GROUP BY p.year, v.short_name, v.id ORDER BY count(*) DESC, p.year, v.short_name"
    ).fetchall()
    return spread([tuple(row) for row in rows])


def title_word_pairs(conn) -> list[str]:
    """100 different searches of two words that stand side by side in some title (so they match both as
    full text and as a substring), from titles spread over the papers in id order."""
    titles = [row[0] for row in conn.execute("SELECT title FROM papers_paper ORDER BY id").fetchall()]
    stride = max(1, len(titles) // PAGES_PER_KIND)
    seen, searches = set(), []
    for offset in range(stride):
        for title in titles[offset::stride]:
            for first, second in re.findall(r"(?=\b([A-Za-z]{4,}) ([A-Za-z]{4,})\b)", title):
                pair = (first.lower(), second.lower())
                if pair[0] != pair[1] and not STOP_WORDS.intersection(pair) and pair not in seen:
                    seen.add(pair)
                    searches.append(" ".join(pair))
                    break
            if len(searches) == PAGES_PER_KIND:
                return searches
    return searches


def list_paths(pairs) -> list[str]:
    return ["/papers/?" + urllib.parse.urlencode({"year": year, "venue": venue}) for year, venue, _ in pairs]


def search_paths(searches) -> list[str]:
    return ["/search/?" + urllib.parse.urlencode({"q": q}) for q in searches]


def pick_pages(conn) -> dict[str, list[str]]:
    """Each kind's paths (papers as /papers/<id>/: resolve_papers() follows them to their canonical URL)."""
    pages = {
        "cluster": [
            f"/clusters/{quoted(slug)}/"
            for (slug,) in conn.execute(
                "SELECT slug FROM authors_namecluster ORDER BY paper_count DESC, id LIMIT 100"
            ).fetchall()
        ],
        "list": list_paths(year_venue_pairs(conn)),
        "search": search_paths(title_word_pairs(conn)),
        "author": [
            f"/authors/{pk}/"
            for (pk,) in conn.execute(
                "SELECT id FROM authors_author WHERE merged_into_id IS NULL ORDER BY paper_count DESC, id LIMIT 100"
            ).fetchall()
        ],
        "paper": [
            f"/papers/{pk}/" for (pk,) in spread(conn.execute("SELECT id FROM papers_paper ORDER BY id").fetchall())
        ],
        "venue": [
            f"/venues/{quoted(slug)}/"
            for (slug,) in conn.execute(
                "SELECT v.slug FROM papers_venue v JOIN papers_paper p ON p.venue_id = v.id "
                "GROUP BY v.id, v.slug ORDER BY count(*) DESC, v.id LIMIT 100"
            ).fetchall()
        ],
    }
    return pages
