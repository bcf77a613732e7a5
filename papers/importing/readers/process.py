"""Reading a file in a second process, so that parsing runs beside the database work.

Parsing in the importer's own process adds to the database's time, because the importer waits for
each batch's statements before it reads on, and a thread does not help (lxml and the record building
hold the GIL). A child process reads ahead instead, and a second core parses while PostgreSQL writes.

The child only reads: it never opens the database (a new interpreter, not a fork, so it does not
share the parent's connection either). Records travel pickled in chunks over its stdout, and a
thread in the parent reads up to READ_AHEAD of them ahead of the writer; then the pipe fills and
blocks the child, so memory stays flat. The stream keeps its meaning: the same items in the same
order, and a file the child cannot read raises the same ImportFileError in the parent, after the
items before it. A child that dies without saying it finished is an error too, never an early end
of file: the import then rolls back.
"""

import os
import pickle  # only between the importer and its own child process  # nosec B403
import queue
import signal
import struct
import subprocess  # runs this module only  # nosec B404
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

from papers.importing.readers.records import ImportFileError, PaperRecord, ReadProgress, values_digest

# Items per message: large enough that pickling and the hand-over cost little per record, small
# enough that the parent starts writing soon and memory stays flat.
CHUNK_ITEMS = 1000
# Messages the parent holds read ahead of the writer (flat memory: 16 chunks, about 6 MB of dblp,
# more for OpenAlex works with long abstracts, bounded all the same). The pipe itself holds 64 KB,
# a fifth of a chunk: without them the child parsed only while the writer took records off the
# pipe, not while it waited for PostgreSQL.
READ_AHEAD = 16
# Each message on the pipe: its length, then the pickle.
FRAME_HEAD = struct.Struct("<Q")
# Files smaller than this are read in the importer's own process: starting a Python process costs
# about what it saves on them. Tests set it to 0 to send every file through the child.
MIN_BYTES = 2 * 1024 * 1024


class ReaderCrashed(RuntimeError):
    """The reader process failed on a bug (not on the file): its traceback is the message."""


def worth_a_process(path: Path) -> bool:
    try:
        return os.stat(path).st_size >= MIN_BYTES
    except OSError:
        return False  # the reader in this process reports it


def read_in_process(
    path: Path, file_format: str, *, progress: ReadProgress | None = None, chunk_items: int = CHUNK_ITEMS
) -> Iterator:
    """importers.read(path, file_format) run in a child process: the same items, errors and
    progress. Stopping early (an exception in the writer, a closed generator) stops the child."""
    # A plain `python -m` child, not multiprocessing: its spawn re-runs the parent's main script,
    # which a script without a __main__ guard turns into a second import.
    root = str(Path(__file__).resolve().parents[3])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (root, os.environ.get("PYTHONPATH"))))}
    child = subprocess.Popen(  # noqa: S603 (our interpreter and module, no shell)  # nosec B603
        # -P: the working directory does not go first on sys.path, where a `papers` there would win.
        [sys.executable, "-P", "-m", "papers.importing.readers.process", str(path), file_format, str(chunk_items)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        env=env,
        # Ctrl-C at a terminal reaches the importer only, which stops this process itself (a
        # signal during the child's start-up would print a traceback).
        start_new_session=True,
    )
    frames: queue.Queue = queue.Queue(maxsize=READ_AHEAD)
    stop = threading.Event()
    # A daemon: an importer that exits without closing this stream (an uncaught Ctrl-C) must not
    # wait for it; the child then finds its pipe closed and stops.
    receiver = threading.Thread(
        target=_receive, args=(child.stdout, frames, stop), name="arrow-reader-pipe", daemon=True
    )
    receiver.start()
    position = None
    if progress is not None:
        progress.position = lambda: position
    try:
        while True:
            frame = frames.get()
            if frame is None:
                raise ImportFileError(
                    f"the reader process stopped before the end of the file (exit code {child.wait()})"
                )
            kind, payload, position, size = pickle.loads(frame)  # noqa: S301 (our child's own output)  # nosec B301
            if progress is not None and size is not None:
                progress.size = size
            if kind == "items":
                for item in payload:
                    yield unpack(item) if type(item) is tuple else item
            elif kind == "error":
                raise ImportFileError(payload)
            elif kind == "crash":
                raise ReaderCrashed(payload)
            else:
                return
    finally:
        stop.set()
        if child.poll() is None:
            child.terminate()
        child.wait()
        # The thread ends at the pipe's end, which it reaches unless it waits to put a frame into
        # a full queue: make room. Not while Python shuts down: a daemon thread no longer runs then.
        if not sys.is_finalizing():  # (a frozen daemon thread may hold the stream's lock)
            while receiver.is_alive():
                with suppress(queue.Empty):
                    frames.get_nowait()
                receiver.join(0.01)
            child.stdout.close()


def _receive(stream, frames: queue.Queue, stop: threading.Event) -> None:
    """The parent's pipe thread: whole messages off the pipe into `frames`, then None at its end.
    Its reads wait outside the GIL, so the writer runs while the child's next records arrive."""
    try:
        while not stop.is_set():
            head = stream.read(FRAME_HEAD.size)
            if len(head) < FRAME_HEAD.size:
                break
            (length,) = FRAME_HEAD.unpack(head)
            frame = stream.read(length)
            if len(frame) < length:
                break
            frames.put(frame)
    finally:
        # Whatever stopped it (a bad length, a read error): the parent then reports a reader that
        # stopped early, instead of waiting for a frame that never comes.
        frames.put(None)


def pack(record: PaperRecord) -> tuple:
    """A paper record as plain values (PaperRecord.values()), with its location and its digest:
    hashing here, in the reader process, takes that work off the writer."""
    values = record.values()
    return (record.location, values, values_digest(values))


def unpack(packed: tuple) -> PaperRecord:
    location, values, digest = packed
    record = PaperRecord.from_values(values, location=location)
    record.digest = digest
    return record


def main(path: str, file_format: str, chunk_items: str) -> None:
    """The child: read the file, send the items chunk by chunk, then "end" or what went wrong."""
    # Should a Ctrl-C reach it all the same (a signal to its session): the parent stops it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from papers.importing import readers as importers

    # The records go to the parent on the pipe that was stdout; anything else printing to stdout
    # (a library's warning) goes to stderr instead of into the stream.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    size = int(chunk_items)
    progress = ReadProgress()

    def send(kind, payload):
        frame = pickle.dumps((kind, payload, progress.bytes_read(), progress.size), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(FRAME_HEAD.pack(len(frame)))
        out.write(frame)
        out.flush()  # whole messages: the parent waits for each one to end

    chunk = []
    try:
        try:
            for item in importers.read(Path(path), file_format, progress=progress):
                chunk.append(pack(item) if type(item) is PaperRecord else item)
                if len(chunk) >= size:
                    send("items", chunk)
                    chunk = []
            send("items", chunk)
            send("end", None)
        except ImportFileError as error:
            send("items", chunk)
            send("error", str(error))
        except BrokenPipeError:
            raise
        except Exception:
            send("crash", traceback.format_exc())
    except BrokenPipeError:
        # The parent stopped reading (it failed, finished early or was killed): nothing to tell.
        os._exit(0)


if __name__ == "__main__":
    main(*sys.argv[1:4])
