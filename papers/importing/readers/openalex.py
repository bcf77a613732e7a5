"""Reader for OpenAlex works (see docs/import-format.md, "OpenAlex works").

Takes the snapshot's JSON Lines (one work a line, gzipped or not), read line by line so memory stays
flat, and also a single work as the API returns it (`W2741809807.json`, compact or pretty-printed) or
an API list response (`{"results": [...]}`), which are small and read whole.
"""

import json
import re
from collections.abc import Iterator
from pathlib import Path

from papers.importing.readers.records import (
    AuthorRecord,
    ImportFileError,
    PaperRecord,
    ReadProgress,
    RecordError,
    SourceFile,
    VenueRecord,
    normalize_doi,
    normalize_orcid,
)

SOURCE = "openalex"
# OpenAlex work types (and the older Crossref-style ones) -> ours; a journal `article` held by a
# conference or repository source is refined in `paper_type`.
WORK_TYPES = {
    "article": "journal-article",
    "journal-article": "journal-article",
    "proceedings-article": "conference-paper",
    "preprint": "preprint",
    "posted-content": "preprint",
    "book-chapter": "book-chapter",
    "book": "book",
    "monograph": "book",
    "dissertation": "thesis",
}
SOURCE_KINDS = {"journal": "journal", "conference": "conference", "repository": "preprint"}
OPENALEX_ID_RE = re.compile(r"^(?:https?://openalex\.org/)?([WAS]\d+)$", re.IGNORECASE)
TAG_RE = re.compile(r"<[^>]{1,40}>")  # OpenAlex titles carry HTML such as <i>…</i>
WHITESPACE_RE = re.compile(r"\s+")
# A single (non-JSON-Lines) document is read whole; the API never returns anything near this.
MAX_DOCUMENT_BYTES = 200_000_000
MAX_LINE_BYTES = 10_000_000


class Invalid(ValueError):
    pass


def read(path: Path, progress: ReadProgress | None = None) -> Iterator[PaperRecord | RecordError]:
    try:
        with SourceFile(Path(path)) as source:
            if progress is not None:
                progress.size, progress.position = source.size, source.position
            first = source.stream.readline(MAX_LINE_BYTES)
            while first and not first.strip():
                first = source.stream.readline(MAX_LINE_BYTES)
            if not first:
                raise ImportFileError("the file is empty")
            try:
                json.loads(first)
            except (ValueError, UnicodeDecodeError):
                if first.lstrip().startswith((b"{", b"[")):
                    yield from read_document(first + source.stream.read(MAX_DOCUMENT_BYTES + 1))
                    return
            yield from read_lines(first, source.stream)
    except (OSError, EOFError) as error:
        raise ImportFileError(f"cannot be read to the end ({error})") from None


def read_lines(first: bytes, stream) -> Iterator[PaperRecord | RecordError]:
    number, line = 1, first
    while line:
        if line.strip():
            location = f"line {number}"
            if len(line) >= MAX_LINE_BYTES and not line.endswith(b"\n"):
                raise ImportFileError(f"{location}: the line is longer than {MAX_LINE_BYTES:,} bytes")
            yield parse_line(line, location)
        number += 1
        line = stream.readline(MAX_LINE_BYTES)


def parse_line(line: bytes, location: str) -> PaperRecord | RecordError:
    try:
        data = json.loads(line)
    except UnicodeDecodeError as error:
        return RecordError(location, f"not UTF-8 text (byte {error.start} cannot be decoded)")
    except json.JSONDecodeError as error:
        return RecordError(location, f"not valid JSON ({error.msg} at column {error.colno})")
    try:
        return parse_work(data, location)
    except Invalid as error:
        return RecordError(location, str(error))


def read_document(data: bytes) -> Iterator[PaperRecord | RecordError]:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ImportFileError(
            f"a single JSON document larger than {MAX_DOCUMENT_BYTES:,} bytes; use the snapshot's JSON Lines"
        )
    try:
        document = json.loads(data)
    except UnicodeDecodeError as error:
        raise ImportFileError(f"not UTF-8 text (byte {error.start} cannot be decoded)") from None
    except json.JSONDecodeError as error:
        raise ImportFileError(f"line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})") from None
    if isinstance(document, dict) and isinstance(document.get("results"), list):
        works = document["results"]
    elif isinstance(document, list):
        works = document
    else:
        works = [document]
    for index, work in enumerate(works, start=1):
        location = f"work {index}"
        try:
            yield parse_work(work, location)
        except Invalid as error:
            yield RecordError(location, str(error))


def _str(data: dict, name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f'"{name}" must be a string, not {type(value).__name__}')
    if "\x00" in value:
        raise Invalid(f'"{name}" contains a NUL character')
    return value.strip()


def _dict(data: dict, name: str) -> dict:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f'"{name}" must be an object, not {type(value).__name__}')
    return value


def short_id(value: str) -> str:
    """'https://openalex.org/W2741809807' -> 'W2741809807'."""
    match = OPENALEX_ID_RE.match(value)
    return match.group(1).upper() if match else ""


def parse_work(data, location: str) -> PaperRecord:
    if not isinstance(data, dict):
        raise Invalid(f"a work must be a JSON object, not {type(data).__name__}")
    work_id = short_id(_str(data, "id"))
    if not work_id.startswith("W"):
        raise Invalid(f'"id" must be an OpenAlex work id (https://openalex.org/W…), not {data.get("id")!r}')
    title = WHITESPACE_RE.sub(" ", TAG_RE.sub("", _str(data, "title") or _str(data, "display_name"))).strip()
    if not title:
        raise Invalid(f"work {work_id} has no title")
    year = data.get("publication_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 2100):
        raise Invalid(f'"publication_year" must be a whole number between 1000 and 2100, not {year!r}')
    location_data = _dict(data, "primary_location")
    source = _dict(location_data, "source")
    doi = normalize_doi(_str(data, "doi"))
    return PaperRecord(
        source=SOURCE,
        source_id=work_id,
        title=title[:2000],
        location=location,
        year=year,
        pub_type=paper_type(_str(data, "type"), _str(source, "type")),
        venue=parse_venue(source),
        authors=parse_authorships(data.get("authorships")),
        abstract=rebuild_abstract(data.get("abstract_inverted_index")),
        doi=doi[:300],
        url=(_str(location_data, "landing_page_url") or (f"https://doi.org/{doi}" if doi else ""))[:1000],
        openalex_id=work_id,
    )


def paper_type(work_type: str, source_type: str) -> str:
    pub_type = WORK_TYPES.get(work_type, "other")
    if pub_type == "journal-article" and source_type == "conference":
        return "conference-paper"
    if pub_type == "journal-article" and source_type == "repository":
        return "preprint"
    return pub_type


def parse_venue(source: dict) -> VenueRecord | None:
    name = _str(source, "display_name")
    if not name:
        return None
    return VenueRecord(name=name[:200], kind=SOURCE_KINDS.get(_str(source, "type"), "other"))


def parse_authorships(value) -> list[AuthorRecord]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid('"authorships" must be a list')
    authors = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise Invalid(f"authorship {index} must be an object, not {type(item).__name__}")
        try:
            author = _dict(item, "author")
            # The name printed on the paper when OpenAlex kept it, else its display name for the author.
            name = WHITESPACE_RE.sub(" ", _str(item, "raw_author_name") or _str(author, "display_name")).strip()
            key = short_id(_str(author, "id"))
            orcid = normalize_orcid(_str(author, "orcid"))
        except Invalid as error:
            raise Invalid(f"authorship {index}: {error}") from None
        if name:
            authors.append(AuthorRecord(name=name[:300], key=key, orcid=orcid))
    return authors


def rebuild_abstract(index) -> str:
    """OpenAlex ships abstracts as {word: [positions]}; put every word back at its positions."""
    if not index:
        return ""
    if not isinstance(index, dict):
        raise Invalid('"abstract_inverted_index" must be an object of word: [positions]')
    placed: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 <= p < 100_000 for p in positions
        ):
            raise Invalid(f'"abstract_inverted_index" has bad positions for {word[:40]!r}')
        for position in positions:
            placed[position] = word
    return " ".join(placed[p] for p in sorted(placed))
