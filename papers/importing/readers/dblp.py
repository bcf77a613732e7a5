"""Reader for dblp XML dumps (dblp.xml or dblp.xml.gz; see docs/import-format.md, "dblp XML").

Streams the file with lxml's iterparse and clears every record once read, so memory stays flat for
the 4 GB dump. dblp writes accents as entities (`Andr&eacute;`) defined only in dblp.dtd: we load
that DTD (the file's sibling dblp.dtd, else our shipped copy) through a resolver that serves nothing
else, so an external entity can never read a local file or the network. A DOCTYPE with its own
definitions (`<!DOCTYPE dblp [...]>`) is refused before parsing: dblp never writes one, and it is
where entity bombs and external entities hide. libxml2's amplification limit stays on (no huge_tree).
"""

import codecs
import gzip
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from lxml import etree

from papers.importing.readers.records import (
    AuthorRecord,
    ImportFileError,
    PaperRecord,
    PersonRecord,
    ReadProgress,
    RecordError,
    SourceFile,
    VenueRecord,
    normalize_doi,
    normalize_orcid,
)

SOURCE = "dblp"
SHIPPED_DTD = Path(__file__).with_name("dblp.dtd")
# Element -> paper type; `publtype="informal"` (CoRR and other preprints) makes any of them a preprint.
PAPER_TYPES = {
    "article": "journal-article",
    "inproceedings": "conference-paper",
    "incollection": "book-chapter",
    "book": "book",
    "proceedings": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
}
# Every element dblp puts directly under the root: all get cleared, only papers and www are read.
RECORD_TAGS = (*PAPER_TYPES, "www", "data", "person")
DOI_URL_RE = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\..+)$", re.IGNORECASE)
ARXIV_URL_RE = re.compile(r"^https?://arxiv\.org/abs/(.+?)(?:v\d+)?$", re.IGNORECASE)
WHITESPACE_RE = re.compile(r"\s+")
DOCTYPE_RE = re.compile(rb"<!DOCTYPE\s+[\w:.-]+(?:\s+(?:SYSTEM|PUBLIC)(?:\s+(?:\"[^\"]*\"|'[^']*'))+)?\s*(\[)?")
ROOT_RE = re.compile(rb"<([A-Za-z_][\w:.-]*)")
# What may come before the DOCTYPE and between it and the root element: whitespace, the XML
# declaration and other processing instructions, comments.
PROLOG_ITEM_RE = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->)", re.DOTALL)
SPACE_RE = re.compile(rb"\s*")
# The prolog (XML declaration, DOCTYPE, comments) of a real dump is a few hundred bytes.
HEAD_BYTES = 64 * 1024
# What a file cut short is read in to find the line where it ends.
CHUNK_BYTES = 1024 * 1024
MAX_TITLE, MAX_NAME, MAX_VENUE, MAX_URL = 2000, 300, 200, 1000


class EntityRefused(Exception):
    """The parser asked for a file other than dblp.dtd (an external entity or a foreign DTD)."""

    def __init__(self, url: str):
        super().__init__(url)
        self.url = url


class DtdOnlyResolver(etree.Resolver):
    """Serves our local dblp.dtd for the DOCTYPE's `dblp.dtd`, whatever path it names; refuses the rest."""

    def __init__(self, dtd_path: Path):
        super().__init__()
        self.dtd_path = dtd_path

    def resolve(self, system_url, public_id, context):
        if system_url and system_url.replace("\\", "/").rsplit("/", 1)[-1] == "dblp.dtd":
            return self.resolve_filename(str(self.dtd_path), context)
        raise EntityRefused(system_url or public_id or "?")


def read(path: Path, progress: ReadProgress | None = None) -> Iterator[PaperRecord | PersonRecord | RecordError]:
    path = Path(path)
    sibling = path.with_name("dblp.dtd")
    resolver = DtdOnlyResolver(sibling if sibling.is_file() else SHIPPED_DTD)
    gzipped = False
    try:
        with SourceFile(path) as source:
            gzipped = source.gzipped
            root_name = check_prolog(source.stream.read(HEAD_BYTES))
            if not gzipped:
                check_ending(source.raw, source.size, root_name)
            source.stream.seek(0)
            if progress is not None:
                progress.size, progress.position = source.size, source.position
            yield from parse(source.stream, resolver)
    except EntityRefused as refused:
        raise ImportFileError(
            f"refers to another file ({refused.url!r}); a dblp file may only use dblp.dtd, so it was not read"
        ) from None
    except etree.XMLSyntaxError as error:
        raise ImportFileError(describe_syntax_error(error)) from None
    except (OSError, EOFError) as error:
        if not gzipped:
            raise ImportFileError(f"cannot be read to the end ({error})") from None
        # gzip: a download cut short ends before the end-of-stream marker (EOFError).
        line = end_line(_gunzipped_chunks(path))
        cut = "the file is cut short: it " if isinstance(error, EOFError) else ""
        raise ImportFileError(f"line {line}: {cut}cannot be read to the end ({error})") from None


def check_prolog(head: bytes) -> str:
    """Refuse a DOCTYPE with an internal subset, or anything but a prolog before the root element;
    return the root element's name."""
    doctype = DOCTYPE_RE.search(head)
    if doctype and doctype.group(1):
        line, column = _place(head, doctype.start(1))
        raise ImportFileError(
            f"line {line}, column {column}: the DOCTYPE declares its own entities or elements; dblp files "
            "never do, and such declarations can expand without bound or read local files, so it was not read"
        )
    # Only the prolog may come before the root element. Searching the head for the first "<name"
    # found one in any binary file given with --format dblp, which was then refused as "cut short".
    position = _skip_prolog(head, len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0)
    if doctype and doctype.start() == position:
        end = head.find(b">", doctype.end())
        position = _skip_prolog(head, end + 1 if end >= 0 else doctype.end())
    root = ROOT_RE.match(head, position)
    if not root:
        line, column = _place(head, position)
        found = repr(head[position : position + 20].decode("latin-1")) if position < len(head) else "its end"
        raise ImportFileError(
            f"line {line}, column {column}: not dblp XML: only an XML declaration, comments and a DOCTYPE "
            f"may come before the root element, and the file has {found} there"
        )
    return root.group(1).decode("ascii", "replace")


def _skip_prolog(head: bytes, position: int) -> int:
    while item := PROLOG_ITEM_RE.match(head, position):
        position = item.end()
    return SPACE_RE.match(head, position).end()


def check_ending(raw, size: int, root_name: str) -> None:
    """A plain file cut short (an interrupted download) is refused at once, not after parsing it all."""
    raw.seek(max(0, size - 4096))
    tail = raw.read().rstrip()
    raw.seek(0)
    end_tag = f"</{root_name}>".encode()
    if not tail.endswith(end_tag):
        line = end_line(iter(lambda: raw.read(CHUNK_BYTES), b""))
        raw.seek(0)
        raise ImportFileError(
            f"line {line}: the file is cut short: it ends without closing <{root_name}> "
            f"(last bytes: {tail[-40:].decode('latin-1')!r}, {size:,} bytes)"
        )


def end_line(chunks: Iterable[bytes]) -> int:
    """The line of the last byte that is not whitespace in these chunks of a file: where it ends."""
    line, newlines = 1, 0
    for chunk in chunks:
        if last := len(chunk.rstrip()):
            line = newlines + chunk.count(b"\n", 0, last) + 1
        newlines += chunk.count(b"\n")
    return line


def _gunzipped_chunks(path: Path) -> Iterator[bytes]:
    """The data of a gzip file, as far as it can be read."""
    with gzip.open(path, "rb") as stream:
        while True:
            try:
                chunk = stream.read1(CHUNK_BYTES)
            except (OSError, EOFError):
                return
            if not chunk:
                return
            yield chunk


def describe_syntax_error(error: etree.XMLSyntaxError) -> str:
    line, column = error.position if error.position else (error.lineno, error.offset)
    message = WHITESPACE_RE.sub(" ", error.msg or str(error)).strip()
    where = f"line {line}, column {column}"
    if error.filename and error.filename.endswith(".dtd"):
        where = f"{error.filename}, {where}"
    if "amplification" in message or "entity" in message.lower() and "loop" in message.lower():
        return f"{where}: entities expand too much (an entity expansion attack?), so the file was not read"
    if "Premature end of data" in message or "EndTag" in message or "end of document" in message:
        return f"{where}: the XML ends early (the file is cut short or damaged): {message}"
    return f"{where}: not well-formed dblp XML: {message}"


def parse(stream, resolver: DtdOnlyResolver) -> Iterator[PaperRecord | PersonRecord | RecordError]:
    events = etree.iterparse(
        stream,
        events=("end",),
        tag=RECORD_TAGS,
        load_dtd=True,
        # lxml's "internal" mode leaves the parameter entities of dblp.dtd undefined; the resolver
        # above is what keeps every other external entity out.
        resolve_entities=True,
        no_network=True,
        remove_comments=True,
        remove_pis=True,
    )
    events.resolvers.add(resolver)
    for _, elem in events:
        parent = elem.getparent()
        if parent is None or parent.getparent() is not None:
            continue  # a record tag nested in a record: read as part of its record
        item = parse_element(elem)
        # Flat memory: empty the record and drop the records before it from the root.
        elem.clear(keep_tail=True)
        while elem.getprevious() is not None:
            del parent[0]
        if item is not None:
            yield item


def _text(elem) -> str:
    """The element's text with whitespace collapsed; markup inside (<i>, <sub>) becomes plain text."""
    # Most fields are plain text: reading .text skips itertext's iterator, and str.split() collapses
    # the same Unicode whitespace as the regex did, at a fraction of the cost (parsing is half the import).
    text = "".join(elem.itertext()) if len(elem) else elem.text or ""
    return " ".join(text.split())


def parse_element(elem) -> PaperRecord | PersonRecord | RecordError | None:
    location = f"line {elem.sourceline}"
    tag = elem.tag
    if tag == "www":
        return parse_person(elem, location)
    if tag not in PAPER_TYPES:
        return None  # dblp's research-data and person-metadata records are not papers
    key = (elem.get("key") or "").strip()
    if not key:
        return RecordError(location, f"<{tag}> has no key attribute")
    fields: dict[str, list] = {}
    for child in elem:
        fields.setdefault(child.tag, []).append(child)
    title = _text(fields["title"][0]) if "title" in fields else ""
    if not title:
        return RecordError(location, f"<{tag} key={key!r}> has no <title>")
    if len(title) > MAX_TITLE:
        return RecordError(location, f"the <title> of {key!r} is longer than {MAX_TITLE:,} characters")
    # dblp ends every title with a full stop as a typographic convention; it is not part of the title.
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    year = None
    if "year" in fields:
        raw_year = _text(fields["year"][0])
        if not raw_year.isdigit() or not 1000 <= int(raw_year) <= 2100:
            return RecordError(f"line {fields['year'][0].sourceline}", f"<year> must be a year, not {raw_year!r}")
        year = int(raw_year)
    # Edited volumes (dblp "editorships") have editors and no authors: their editors are listed.
    people = fields.get("author") or fields.get("editor") or []
    authors = []
    for person in people:
        name = _text(person)
        if not name:
            continue
        if len(name) > MAX_NAME:
            return RecordError(f"line {person.sourceline}", f"an author name is longer than {MAX_NAME} characters")
        raw_orcid = person.get("orcid", "")
        orcid = normalize_orcid(raw_orcid) if raw_orcid else ""
        if raw_orcid and not orcid:
            return RecordError(f"line {person.sourceline}", f"{raw_orcid!r} is not an ORCID (0000-0002-1825-0097)")
        authors.append(AuthorRecord(name=name, orcid=orcid))
    publtype = (elem.get("publtype") or "").split()
    record = PaperRecord(
        source=SOURCE,
        source_id=key,
        title=title,
        location=location,
        year=year,
        pub_type="preprint" if "informal" in publtype else PAPER_TYPES[tag],
        venue=parse_venue(tag, fields),
        authors=authors,
        dblp_key=key,
    )
    for ee in fields.get("ee", ()):
        link = _text(ee)
        if not link.startswith(("http://", "https://")) or len(link) > MAX_URL:
            continue
        record.url = record.url or link
        if not record.doi and (doi := DOI_URL_RE.match(link)):
            record.doi = normalize_doi(doi.group(1))
        if not record.arxiv_id and (arxiv := ARXIV_URL_RE.match(link)):
            record.arxiv_id = arxiv.group(1)[:50]
    record.url = record.url or f"https://dblp.org/rec/{key}"[:MAX_URL]
    return record


def parse_venue(tag: str, fields: dict) -> VenueRecord | None:
    if tag == "article" and "journal" in fields:
        name = _text(fields["journal"][0])
        kind = "preprint" if name == "CoRR" else "journal"
    elif "booktitle" in fields:
        name = _text(fields["booktitle"][0])
        if tag in ("inproceedings", "proceedings"):
            kind = "workshop" if "workshop" in name.lower() or "@" in name else "conference"
        else:
            kind = "other"
    elif "series" in fields:
        name, kind = _text(fields["series"][0]), "other"
    else:
        return None
    return VenueRecord(name=name[:MAX_VENUE], kind=kind) if name else None


def parse_person(elem, location: str) -> PersonRecord | None:
    """A `www` homepage record: the first <author> is the person's key, later ones name variants."""
    key = elem.get("key") or ""
    if not key.startswith("homepages/"):
        return None
    names = [name for author in elem.iterfind("author") if (name := _text(author))]
    if not names:
        crossref = elem.find("crossref")
        target = _text(crossref) if crossref is not None else ""
        if not target:
            return None
        # A crossref person is another homepage key of the person at `target`.
        return PersonRecord(source=SOURCE, key=target, location=location, aliases=[key], redirect=True)
    orcid = ""
    for url in elem.iterfind("url"):
        if not orcid and "orcid.org/" in (url.text or ""):
            orcid = normalize_orcid(_text(url))
    affiliations = [note for note in elem.iterfind("note") if note.get("type") == "affiliation"]
    # Unlabelled affiliations are current; labelled ones ("2008-2010", "PhD, 2008") are past.
    current = [note for note in affiliations if not note.get("label")] or affiliations
    return PersonRecord(
        source=SOURCE,
        key=names[0][:MAX_NAME],
        location=location,
        variants=[name[:MAX_NAME] for name in names[1:]],
        aliases=[key],
        orcid=orcid,
        affiliation=_text(current[0])[:500] if current else "",
    )


def _place(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1
