"""The one small interface between format readers and the database writer.

A reader turns a file into a stream of `PaperRecord`, `PersonRecord` and `RecordError` items; it
raises `ImportFileError` when the file as a whole cannot be read (not the format, cut short, hostile).
The writer (`papers.importing.engine.PaperImporter`) never sees a file format.
"""

import gzip
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

DOI_PREFIX_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
ORCID_PREFIX_RE = re.compile(r"^https?://orcid\.org/", re.IGNORECASE)


class ImportFileError(Exception):
    """The file cannot be imported at all; the message names the file and the place."""


@dataclass(frozen=True)
class RecordError:
    """One bad record: where it is (line N, or line N of the XML) and what is wrong with it."""

    location: str
    message: str

    def __str__(self):
        return f"{self.location}: {self.message}"


class AuthorRecord(NamedTuple):
    """One author of a record. A named tuple, not a frozen dataclass: a dblp dump has four times
    as many authors as papers, and a frozen dataclass's __init__ costs twice a tuple's."""

    name: str  # as printed on the paper, dblp homonym number included
    key: str = ""  # the source's key for this person; empty: the name as written is the key
    orcid: str = ""

    @property
    def identity(self) -> str:
        return self.key or self.name


@dataclass(frozen=True)
class VenueRecord:
    name: str
    kind: str = "other"
    full_name: str = ""


@dataclass
class PaperRecord:
    source: str
    source_id: str
    title: str
    location: str = ""
    year: int | None = None
    pub_type: str = "other"
    venue: VenueRecord | None = None
    authors: list[AuthorRecord] = field(default_factory=list)
    abstract: str = ""
    doi: str = ""
    url: str = ""
    dblp_key: str = ""
    openalex_id: str = ""
    arxiv_id: str = ""
    # content_hash() when the reader has already computed it (the reader process does, beside the
    # writer: papers.importing.readers.process); not part of the record's value, and not copied by
    # dataclasses.replace(), whose changed record would otherwise keep the old digest.
    digest: str = field(default="", init=False, compare=False, repr=False)

    def content_hash(self) -> str:
        """A digest of everything imported from the record, so unchanged records can be skipped."""
        return self.digest or values_digest(self.values())

    def values(self) -> tuple:
        """Everything imported from the record (all but `location`) as plain values: str, int,
        None and nested tuples. What content_hash() digests, and what the reader process sends
        (papers.importing.readers.process): unpickling dataclasses, one per author too, cost nearly what
        parsing did; tuples of strings a fifth of it."""
        venue = self.venue
        return (
            self.source,
            self.source_id,
            self.title,
            self.year,
            self.pub_type,
            (venue.name, venue.kind, venue.full_name) if venue is not None else None,
            tuple((a.name, a.key, a.orcid) for a in self.authors),
            self.abstract,
            self.doi,
            self.url,
            self.dblp_key,
            self.openalex_id,
            self.arxiv_id,
        )

    @classmethod
    def from_values(cls, values: tuple, *, location: str = "") -> "PaperRecord":
        """The record values() came from (with its location, which values() leaves out)."""
        source, source_id, title, year, pub_type, venue, authors, *rest = values
        return cls(
            source,
            source_id,
            title,
            location,
            year,
            pub_type,
            VenueRecord(*venue) if venue is not None else None,
            list(map(AuthorRecord._make, authors)),  # no argument parsing per author
            *rest,  # the abstract and the identifiers
        )


def values_digest(values: tuple) -> str:
    """PaperRecord.content_hash() of these values().

    The repr of a tuple of plain values is stable across runs and a few times cheaper than
    asdict() + sorted JSON, which cost more than the no-op re-import's database work. The "v2:"
    prefix marks the format: hashes of the old JSON form never equal these, so the first
    re-import after the change rewrites each record once.
    """
    return "v2:" + hashlib.blake2b(repr(values).encode(), digest_size=24).hexdigest()


@dataclass
class PersonRecord:
    """A source's person record (dblp `www` homepages): names, ORCID and affiliation of one author key."""

    source: str
    key: str  # the author key the person's papers use (dblp: the primary name as written)
    location: str = ""
    variants: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)  # other keys that resolve to this person
    orcid: str = ""
    affiliation: str = ""
    # Only says "the aliases are more keys of `key`'s person" (dblp crossref persons): never creates a row.
    redirect: bool = False


def normalize_doi(value: str) -> str:
    """'https://doi.org/10.1/ABC' -> '10.1/abc': DOIs are case-insensitive, so we store lower case."""
    return DOI_PREFIX_RE.sub("", value.strip()).lower()


def normalize_orcid(value: str) -> str:
    """'https://orcid.org/0000-0002-1825-0097' -> '0000-0002-1825-0097'; '' when it is not an ORCID."""
    value = ORCID_PREFIX_RE.sub("", value.strip()).upper()
    return value if ORCID_RE.match(value) else ""


class SourceFile:
    """A file opened for reading bytes, gunzipped when it is gzip, that knows how far into the file on
    disk the reader is: progress is bytes read of the compressed file against its size."""

    def __init__(self, path: Path):
        self.raw = open(path, "rb")  # noqa: SIM115 (closed by close() / the context manager)
        self.size = os.fstat(self.raw.fileno()).st_size
        self.gzipped = self.raw.read(2) == b"\x1f\x8b"
        self.raw.seek(0)
        self.stream = gzip.GzipFile(fileobj=self.raw, mode="rb") if self.gzipped else self.raw

    def position(self) -> int:
        return self.size if self.raw.closed else self.raw.tell()

    def close(self) -> None:
        self.stream.close()
        self.raw.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@dataclass
class ReadProgress:
    """Filled in by readers that can tell how far they are: `position()` bytes of `size`."""

    size: int | None = None
    position: object = None  # a callable returning the byte position, once the file is open

    def bytes_read(self) -> int | None:
        return self.position() if callable(self.position) else None
