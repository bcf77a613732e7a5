"""Citation exports: BibTeX, RIS and CSL-JSON, from papers as `papers_for_export()` reads them (no query here).

BibTeX is ASCII TeX (pylatexenc), so BibTeX 0.99 and biber read it alike; math is kept verbatim only when it
only typesets (SAFE_MATH_COMMANDS); words with inner capitals are braced against sentence-casing styles.
`doi`, `url` and `eprint` are verbatim fields in biblatex: only braces are percent-encoded. Printed names
carry no structure, so family and given names are split here.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from pylatexenc.latexencode import UnicodeToLatexEncoder

from authors.names import split_homonym
from papers.models import Authorship, Paper
from papers.text import TEX_SYMBOLS

BIBTEX_TYPES = {
    Paper.Type.CONFERENCE_PAPER: "inproceedings",
    Paper.Type.JOURNAL_ARTICLE: "article",
    Paper.Type.PREPRINT: "misc",
    Paper.Type.BOOK_CHAPTER: "incollection",
    Paper.Type.BOOK: "book",
    Paper.Type.THESIS: "phdthesis",
    Paper.Type.OTHER: "misc",
}
# Standard styles ignore unknown fields.
BIBTEX_VENUE_FIELDS = {
    "inproceedings": "booktitle",
    "incollection": "booktitle",
    "article": "journal",
    "phdthesis": "school",
    "book": "series",
    "misc": "howpublished",
}
RIS_TYPES = {
    Paper.Type.CONFERENCE_PAPER: "CPAPER",
    Paper.Type.JOURNAL_ARTICLE: "JOUR",
    Paper.Type.PREPRINT: "UNPB",
    Paper.Type.BOOK_CHAPTER: "CHAP",
    Paper.Type.BOOK: "BOOK",
    Paper.Type.THESIS: "THES",
    Paper.Type.OTHER: "GEN",
}
CSL_TYPES = {
    Paper.Type.CONFERENCE_PAPER: "paper-conference",
    Paper.Type.JOURNAL_ARTICLE: "article-journal",
    # CSL 1.0.2 types preprints as "article" and anything else as "document".
    Paper.Type.PREPRINT: "article",
    Paper.Type.BOOK_CHAPTER: "chapter",
    Paper.Type.BOOK: "book",
    Paper.Type.THESIS: "thesis",
    Paper.Type.OTHER: "document",
}

PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "le", "la", "dos", "das", "ten", "ter"}
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
# Words a cite key skips: "On the Robustness of ..." -> rezaei2024robustness.
KEY_STOPWORDS = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "from", "towards", "toward", "via"}
# Pandoc's rule for inline math: `$` followed by non-space, closed by `$` after non-space, not before a digit,
# so "costs $5 and $10" stays text.
MATH_RE = re.compile(r"(?<!\\)\$(?=\S)(?:[^$\\]|\\.)+?(?<=\S)(?<!\\)\$(?!\d)")
WORD_RE = re.compile(r"(\s+)")

_latex = UnicodeToLatexEncoder(
    non_ascii_only=False,
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


def papers_for_export(queryset: QuerySet[Paper]) -> QuerySet[Paper]:
    """The queryset with what every export needs: venue joined, authorships and authors in one prefetch."""
    authorships = Authorship.objects.select_related("author").order_by("position")
    return queryset.select_related("venue").prefetch_related(Prefetch("authorships", queryset=authorships))


@dataclass(frozen=True)
class PersonName:
    family: str
    given: str = ""
    suffix: str = ""


def person_name(printed: str) -> PersonName:
    """Split a printed name: 'Johannes van der Waals Jr.' -> family 'van der Waals', given 'Johannes', suffix 'Jr.'."""
    name, _ = split_homonym(printed)
    if "," in name:
        family, _, given = name.partition(",")
        return PersonName(family.strip(), given.strip())
    words = name.split()
    suffix = ""
    if len(words) > 2 and words[-1].lower() in SUFFIXES:
        suffix = words.pop()
    if len(words) < 2:
        return PersonName(" ".join(words), "", suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    return PersonName(" ".join(words[start:]), " ".join(words[:start]), suffix)


def paper_people(paper: Paper) -> list[PersonName]:
    authorships = sorted(paper.authorships.all(), key=lambda a: a.position)
    return [person_name(a.printed_name or a.author.full_name) for a in authorships]


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower())


def cite_key(paper: Paper) -> str:
    """A stable key from first author, year and first significant title word: rezaei2024prime."""
    people = paper_people(paper)
    family = _ascii_word(people[0].family.split()[-1]) if people and people[0].family else ""
    words = (_ascii_word(w) for w in MATH_RE.sub(" ", paper.title).split())
    first_word = next((w for w in words if w and w not in KEY_STOPWORDS), "")
    return f"{family or 'anon'}{paper.year or 'nd'}{first_word}"


def unique_cite_keys(papers: Iterable[Paper]) -> list[str]:
    """Cite keys for a list, made unique in list order: the second rezaei2024prime becomes rezaei2024primeb."""
    keys = [cite_key(p) for p in papers]
    seen: Counter[str] = Counter()
    result = []
    for key in keys:
        seen[key] += 1
        result.append(key if seen[key] == 1 else f"{key}{_letters(seen[key])}")
    return result


def _letters(n: int) -> str:
    # 2 -> b, 26 -> z, 27 -> ab.
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _balanced(text: str) -> bool:
    depth = 0
    for ch in re.sub(r"\\[{}]", "", text):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


# The TeX commands math may keep. Anything else, or what TeX could make a command (`^^5c`, `%`, `#`),
# makes the span escaped text: imported data must not reach a reader's build as `\input{/etc/passwd}`.
SAFE_MATH_COMMANDS = frozenset(TEX_SYMBOLS) | {  # beyond what the pages render
    "frac", "dfrac", "tfrac", "hat", "widehat", "tilde", "widetilde", "bar", "vec", "dot", "ddot", "overline",
    "underline", "mathit", "mathsf", "mathtt", "mathfrak", "mathscr", "boldsymbol", "bm", "textrm", "textit",
    "textbf", "textsf", "texttt", "big", "Big", "bigg", "Bigg", "lvert", "rvert", "lVert", "rVert", "langle",
    "rangle", "lfloor", "rfloor", "lceil", "rceil", "mid", "top", "star", "prime", "cdotp", "colon", "mathop",
    "limits", "nolimits", "displaystyle", "varrho", "varsigma", "varpi", "varkappa", "hbar", "Re", "Im",
    "aleph", "wedge", "vee", "oplus", "otimes", "odot", "setminus", "supset", "supseteq", "preceq", "succeq",
    "prec", "succ", "perp", "parallel", "uparrow", "downarrow", "longrightarrow", "longmapsto",
    "hookrightarrow", "implies", "iff", "arg", "deg", "det", "dim", "gcd", "inf", "ker", "lim", "liminf",
    "limsup", "ln", "Pr", "sup", "tan", "tanh", "sinh", "cosh", "arctan", "arcsin", "arccos", "sec", "csc",
    "cot", "mod", "bmod", "pmod", "binom", "choose", "coprod", "oint", "bigcup", "bigcap", "bigoplus",
    "bigotimes", "bigvee", "bigwedge", "varnothing", "triangle", "square", "Box", "diamond", "bullet",
    "checkmark", "dagger", "ddagger", "S", "P",
}  # fmt: skip
MATH_COMMAND_RE = re.compile(r"\\([A-Za-z]+)")


def _safe_math(math: str) -> bool:
    """Balanced, and nothing in it that TeX would run beyond typesetting (SAFE_MATH_COMMANDS)."""
    if not _balanced(math) or "^^" in math or "%" in math or "#" in math:
        return False
    return all(name in SAFE_MATH_COMMANDS for name in MATH_COMMAND_RE.findall(math))


def tex_escape(text: str, *, protect_case: bool = False) -> str:
    """Text to BibTeX: math kept verbatim in braces (when _safe_math), the rest encoded; optionally
    brace words with inner capitals."""
    out = []
    pos = 0
    for match in MATH_RE.finditer(text):
        if not _safe_math(match.group()):
            continue
        out.append(_tex_text(text[pos : match.start()], protect_case))
        out.append("{" + match.group() + "}")
        pos = match.end()
    out.append(_tex_text(text[pos:], protect_case))
    return "".join(out)


def _tex_text(text: str, protect_case: bool) -> str:
    if not protect_case:
        return _latex.unicode_to_latex(text)
    parts = []
    for word in WORD_RE.split(text):
        encoded = _latex.unicode_to_latex(word)
        parts.append("{" + encoded + "}" if any(ch.isupper() for ch in word[1:]) else encoded)
    return "".join(parts)


def _verbatim(text: str) -> str:
    return text.replace("{", "%7B").replace("}", "%7D")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _bibtex_name(person: PersonName) -> str:
    parts = [tex_escape(person.family)]
    if person.suffix:
        parts.append(tex_escape(person.suffix))
    if person.given:
        parts.append(tex_escape(person.given))
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts)


def _paper_url(paper: Paper) -> str:
    if paper.url:
        return paper.url
    if paper.arxiv_id:
        return f"https://arxiv.org/abs/{paper.arxiv_id}"
    return ""


def _venue_name(paper: Paper) -> str:
    venue = paper.venue
    return (venue.full_name or venue.short_name) if venue else ""


def paper_bibtex(paper: Paper, *, key: str | None = None, abstract: bool = True) -> str:
    entry_type = BIBTEX_TYPES.get(paper.pub_type, "misc")
    fields: list[tuple[str, str]] = []
    people = paper_people(paper)
    if people:
        fields.append(("author", " and ".join(_bibtex_name(p) for p in people)))
    fields.append(("title", tex_escape(_one_line(paper.title), protect_case=True)))
    if venue := _venue_name(paper):
        fields.append((BIBTEX_VENUE_FIELDS[entry_type], tex_escape(venue)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.doi:
        fields.append(("doi", _verbatim(paper.doi)))
    if url := _paper_url(paper):
        fields.append(("url", _verbatim(url)))
    if paper.arxiv_id:
        fields += [("eprint", _verbatim(paper.arxiv_id)), ("archiveprefix", "arXiv")]
    if abstract and paper.abstract:
        fields.append(("abstract", tex_escape(_one_line(paper.abstract))))
    width = max(len(name) for name, _ in fields)
    body = "".join(f"  {name.ljust(width)} = {{{value}}},\n" for name, value in fields)
    return f"@{entry_type}{{{key or cite_key(paper)},\n{body}}}\n"


def papers_bibtex(papers: Iterable[Paper], *, abstract: bool = True) -> str:
    """A .bib file for many papers, with unique cite keys, entries separated by a blank line."""
    papers = list(papers)
    keys = unique_cite_keys(papers)
    return "\n".join(paper_bibtex(p, key=k, abstract=abstract) for p, k in zip(papers, keys, strict=True))


def paper_ris(paper: Paper) -> str:
    """One RIS record, from `TY  - ` to `ER  - `, with CRLF line ends."""
    ris_type = RIS_TYPES.get(paper.pub_type, "GEN")
    lines = [("TY", ris_type)]
    for person in paper_people(paper):
        name = person.family
        if person.given or person.suffix:
            name += f", {person.given}"
        if person.suffix:
            name += f", {person.suffix}"
        lines.append(("AU", name))
    lines.append(("TI", paper.title))
    if paper.year:
        lines.append(("PY", str(paper.year)))
    if paper.venue:
        lines.append(("T2", _venue_name(paper)))
        if ris_type == "JOUR":
            lines.append(("JO", _venue_name(paper)))
            if paper.venue.full_name and paper.venue.short_name != paper.venue.full_name:
                lines.append(("J2", paper.venue.short_name))
    if paper.doi:
        lines.append(("DO", paper.doi))
    if url := _paper_url(paper):
        lines.append(("UR", url))
    if paper.abstract:
        lines.append(("AB", paper.abstract))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {_one_line(value)}\r\n" for tag, value in lines)


def papers_ris(papers: Iterable[Paper]) -> str:
    return "".join(paper_ris(p) for p in papers)


def _csl_name(person: PersonName) -> dict[str, str]:
    name = {"family": person.family}
    if person.given:
        name["given"] = person.given
    if person.suffix:
        name["suffix"] = person.suffix
    return name


def paper_csl_json(paper: Paper, *, key: str | None = None) -> dict:
    """One CSL-JSON item (the citeproc input schema), with only the fields the paper has."""
    item: dict = {"id": key or cite_key(paper), "type": CSL_TYPES.get(paper.pub_type, "document")}
    item["title"] = paper.title
    if people := paper_people(paper):
        item["author"] = [_csl_name(p) for p in people]
    if paper.year:
        item["issued"] = {"date-parts": [[paper.year]]}
    if paper.venue:
        item["container-title"] = _venue_name(paper)
        if paper.venue.short_name != item["container-title"]:
            item["container-title-short"] = paper.venue.short_name
    if paper.doi:
        item["DOI"] = paper.doi
    if url := _paper_url(paper):
        item["URL"] = url
    if paper.arxiv_id:
        item["number"] = f"arXiv:{paper.arxiv_id}"
    if paper.abstract:
        item["abstract"] = paper.abstract
    return item


def papers_csl_json(papers: Iterable[Paper]) -> list[dict]:
    papers = list(papers)
    keys = unique_cite_keys(papers)
    return [paper_csl_json(p, key=k) for p, k in zip(papers, keys, strict=True)]
