"""Format readers for `import_papers`: each turns a file into PaperRecord/PersonRecord/RecordError items."""

import gzip
import inspect
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

from papers.importing.readers.records import ImportFileError, ReadProgress

FORMATS = {name: f"papers.importing.readers.{name}" for name in ("jsonl", "dblp", "openalex")}


def detect_format(path: Path) -> str:
    """Pick the format from the file's first bytes: XML is dblp, a JSON object with OpenAlex ids is
    OpenAlex, any other JSON object is Arrow's JSON Lines."""
    try:
        with open(path, "rb") as raw:
            magic = raw.read(2)
        opener = gzip.open if magic == b"\x1f\x8b" else open
        with opener(path, "rb") as handle:
            head = handle.read(4096)
    except (OSError, EOFError) as error:
        raise ImportFileError(f"cannot be read: {error}") from None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return "dblp"
    if text.startswith((b"{", b"[")):
        if b'"https://openalex.org/W' in head or b'"abstract_inverted_index"' in head:
            return "openalex"
        return "jsonl"
    if not text:
        raise ImportFileError("the file is empty")
    raise ImportFileError("not a format Arrow imports (expected JSON Lines, dblp XML or OpenAlex works)")


def read(path: Path, file_format: str | None = None, *, progress: ReadProgress | None = None) -> Iterator:
    """The reader's stream of records; readers that can tell how far they are fill in `progress`."""
    file_format = file_format or detect_format(path)
    if file_format not in FORMATS:
        raise ImportFileError(f"unknown format {file_format!r} (known: {', '.join(FORMATS)})")
    try:
        module = import_module(FORMATS[file_format])
    except ModuleNotFoundError:
        raise ImportFileError(f"the {file_format} reader is not available in this version") from None
    if progress is not None and "progress" in inspect.signature(module.read).parameters:
        return module.read(path, progress=progress)
    return module.read(path)
