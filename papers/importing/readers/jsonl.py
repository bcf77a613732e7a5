"""Reader for Arrow's own JSON Lines format (one paper a line; see docs/import-format.md)."""

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

from papers.importing.readers.records import (
    AuthorRecord,
    ImportFileError,
    PaperRecord,
    RecordError,
    VenueRecord,
    normalize_doi,
    normalize_orcid,
)

PAPER_TYPES = {
    "conference-paper",
    "journal-article",
    "preprint",
    "book-chapter",
    "book",
    "thesis",
    "other",
}
VENUE_KINDS = {"conference", "journal", "workshop", "preprint", "other"}
ID_FIELDS = {"dblp": "dblp_key", "openalex": "openalex_id", "arxiv": "arxiv_id"}
MAX_LINE_BYTES = 10_000_000


class Invalid(ValueError):
    pass


def open_text(path: Path):
    """Open a possibly gzipped text file as UTF-8 (strict: bad bytes are an error, not mojibake)."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="strict")
    return open(path, encoding="utf-8", errors="strict")


def read(path: Path) -> Iterator[PaperRecord | RecordError]:
    try:
        with open_text(path) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                location = f"line {number}"
                if len(line) > MAX_LINE_BYTES:
                    yield RecordError(location, f"the line is longer than {MAX_LINE_BYTES:,} characters")
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as error:
                    yield RecordError(location, f"not valid JSON ({error.msg} at column {error.colno})")
                    continue
                try:
                    yield parse_record(data, location)
                except Invalid as error:
                    yield RecordError(location, str(error))
    except UnicodeDecodeError as error:
        raise ImportFileError(f"not UTF-8 text (byte {error.start} of a line cannot be decoded)") from None
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise ImportFileError(f"cannot be read: {error}") from None


def _text(data: dict, name: str, *, required: bool = False, max_length: int = 100_000) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise Invalid(f'"{name}" is missing')
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and name in {"source_id"}:
        value = str(value)
    if not isinstance(value, str):
        raise Invalid(f'"{name}" must be a string, not {type(value).__name__}')
    value = value.strip()
    if required and not value:
        raise Invalid(f'"{name}" is empty')
    if "\x00" in value:
        raise Invalid(f'"{name}" contains a NUL character')
    if len(value) > max_length:
        raise Invalid(f'"{name}" is longer than {max_length:,} characters')
    return value


def parse_record(data, location: str) -> PaperRecord:
    if not isinstance(data, dict):
        raise Invalid(f"a line must hold a JSON object, not {type(data).__name__}")
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1000 <= year <= 2100):
        raise Invalid(f'"year" must be a whole number between 1000 and 2100, not {year!r}')
    pub_type = data.get("type") or "other"
    if pub_type not in PAPER_TYPES:
        raise Invalid(f'"type" must be one of {", ".join(sorted(PAPER_TYPES))}; got {pub_type!r}')
    record = PaperRecord(
        source=_text(data, "source", required=True, max_length=50),
        source_id=_text(data, "source_id", required=True, max_length=500),
        title=_text(data, "title", required=True, max_length=2000),
        location=location,
        year=year,
        pub_type=pub_type,
        venue=parse_venue(data.get("venue")),
        authors=parse_authors(data.get("authors")),
        abstract=_text(data, "abstract"),
        doi=normalize_doi(_text(data, "doi", max_length=300)),
        url=_text(data, "url", max_length=1000),
    )
    if record.url and not record.url.startswith(("http://", "https://")):
        raise Invalid(f'"url" must start with http:// or https://; got {record.url[:60]!r}')
    ids = data.get("ids") or {}
    if not isinstance(ids, dict):
        raise Invalid('"ids" must be an object such as {"dblp": "conf/icml/X23"}')
    for name in ids:
        if name not in ID_FIELDS:
            raise Invalid(f'"ids" has an unknown identifier {name!r} (known: {", ".join(ID_FIELDS)})')
        setattr(record, ID_FIELDS[name], _text(ids, name, max_length=300))
    return record


def parse_venue(value) -> VenueRecord | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return VenueRecord(name=value.strip()[:200])
    if not isinstance(value, dict):
        raise Invalid('"venue" must be an object such as {"name": "NeurIPS", "kind": "conference"}')
    kind = value.get("kind") or "other"
    if kind not in VENUE_KINDS:
        raise Invalid(f'"venue.kind" must be one of {", ".join(sorted(VENUE_KINDS))}; got {kind!r}')
    return VenueRecord(
        name=_text(value, "name", required=True, max_length=200),
        kind=kind,
        full_name=_text(value, "full_name", max_length=500),
    )


def parse_authors(value) -> list[AuthorRecord]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid('"authors" must be a list of objects such as {"name": "Ada Lovelace"}')
    if len(value) > 5000:
        raise Invalid('"authors" lists more than 5,000 authors')
    authors = []
    for index, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise Invalid(f"author {index} must be an object with a name, not {type(item).__name__}")
        try:
            name = _text(item, "name", required=True, max_length=300)
            key = _text(item, "key", max_length=500)
            raw_orcid = _text(item, "orcid", max_length=60)
        except Invalid as error:
            raise Invalid(f"author {index}: {error}") from None
        orcid = normalize_orcid(raw_orcid)
        if raw_orcid and not orcid:
            raise Invalid(f"author {index}: {raw_orcid!r} is not an ORCID (0000-0002-1825-0097)")
        authors.append(AuthorRecord(name=name, key=key, orcid=orcid))
    return authors
