"""Reading a file in a second process (papers.importing.readers.process) gives the same stream as reading
it in the importer's process: the same records in order, the same refusals, the same progress."""

import contextlib
import io
import os
import queue
import signal
import threading
import time
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

from django.core.management import call_command
from django.test import SimpleTestCase, TestCase

from authors.models import Author
from papers.importing import readers as importers
from papers.importing.readers import process
from papers.importing.readers.records import ImportFileError, PaperRecord, ReadProgress
from papers.models import Authorship, Paper, PaperSource
from tests import test_import_hostile
from tests.conftest import SAMPLE, SHARED, reader_processes

REAL = SHARED / "data" / "real"
FILES = [
    (REAL / "dblp" / "xcurator_dblp_sample_2013.xml", "dblp"),
    (REAL / "dblp" / "shenka123_dblp_excerpt.xml", "dblp"),
    (REAL / "dblp" / "som_research_data_example.xml", "dblp"),
    (REAL / "openalex" / "W2741809807.json", "openalex"),
    (SAMPLE, "jsonl"),
]


class ReaderProcessStreamTests(SimpleTestCase):
    def test_every_real_file_gives_the_same_items_in_the_same_order(self):
        for path, file_format in FILES:
            with self.subTest(path.name):
                here = list(importers.read(path, file_format))
                there = list(process.read_in_process(path, file_format))
                self.assertEqual(there, here)
                self.assertTrue(any(isinstance(item, PaperRecord) for item in there))

    def test_a_paper_record_survives_packing_field_by_field(self):
        record = next(r for r in importers.read(*FILES[0]) if isinstance(r, PaperRecord) and r.venue)
        unpacked = process.unpack(process.pack(record))
        self.assertEqual(unpacked, record)
        # The digest comes along, computed by the reader, and is the one the writer would compute.
        self.assertEqual(unpacked.digest, record.content_hash())
        self.assertEqual(unpacked.content_hash(), record.content_hash())

    def test_more_items_than_one_chunk_keep_their_order(self):
        path, file_format = FILES[0]
        there = list(process.read_in_process(path, file_format, chunk_items=7))
        self.assertEqual(there, list(importers.read(path, file_format)))

    def test_progress_reaches_the_file_size(self):
        path, file_format = FILES[0]
        progress = ReadProgress()
        for _ in process.read_in_process(path, file_format, progress=progress):
            pass
        self.assertEqual(progress.size, path.stat().st_size)
        self.assertEqual(progress.bytes_read(), path.stat().st_size)

    def test_a_refused_file_raises_the_same_message_after_the_items_before_it(self):
        tmp = Path(self.enterContext(TemporaryDirectory()))
        data = FILES[0][0].read_bytes()
        cut = tmp / "dblp.xml"
        cut.write_bytes(data[: len(data) // 2])
        here, there = [], []
        with self.assertRaises(ImportFileError) as expected:
            here.extend(importers.read(cut, "dblp"))
        with self.assertRaises(ImportFileError) as got:
            there.extend(process.read_in_process(cut, "dblp"))
        self.assertEqual(str(got.exception), str(expected.exception))
        self.assertEqual(there, here)

    def test_a_reader_process_that_dies_is_an_error_not_the_end_of_the_file(self):
        # One record a message: the read-ahead and the pipe fill long before the file ends.
        stream = process.read_in_process(*FILES[0], chunk_items=1)
        next(stream)
        child = reader_processes(parent=os.getpid())
        self.assertEqual(len(child), 1)
        os.kill(child[0], signal.SIGKILL)
        with self.assertRaisesRegex(ImportFileError, "the reader process stopped before the end of the file"):
            for _ in stream:
                pass

    def test_stopping_early_stops_the_reader_process(self):
        # One record a message: the read-ahead and the pipe fill long before the file ends.
        stream = process.read_in_process(*FILES[0], chunk_items=1)
        next(stream)
        self.assertEqual(len(reader_processes(parent=os.getpid())), 1)
        stream.close()
        self.assertEqual(reader_processes(parent=os.getpid()), [])

    def test_a_broken_frame_or_a_read_error_ends_the_stream_as_a_stopped_reader(self):
        # The pipe thread always ends with None, which the parent reports as a reader that stopped
        # early, never waits on: a length the pipe cannot hold, a read that fails.
        class FailingRead(io.BytesIO):
            def read(self, size=-1):
                raise OSError("read failed")

        for stream in (io.BytesIO(process.FRAME_HEAD.pack(10**15) + b"short"), FailingRead()):
            frames = queue.Queue()
            with contextlib.suppress(OSError):
                process._receive(stream, frames, threading.Event())
            self.assertIsNone(frames.get_nowait())


class ImportThroughReaderProcessTests(TestCase):
    def test_an_import_through_the_process_writes_what_one_without_it_writes(self):
        path = FILES[0][0]
        results = []
        for threshold in (10**12, 0):
            with (
                mock.patch.object(process, "MIN_BYTES", threshold),
                mock.patch.object(process, "read_in_process", wraps=process.read_in_process) as used,
            ):
                call_command("import_papers", str(path), stdout=StringIO())
            results.append((used.called, self.contents()))
            Paper.objects.all().delete()
            Author.objects.all().delete()
        (used_before, before), (used_after, after) = results
        self.assertEqual((used_before, used_after), (False, True))
        self.assertEqual(after, before)
        self.assertGreater(len(before[0]), 100)

    @staticmethod
    def contents():
        papers = sorted(Paper.objects.values_list("dblp_key", "title", "year", "pub_type", "venue__short_name", "doi"))
        authorships = sorted(
            Authorship.objects.values_list("paper__dblp_key", "position", "printed_name", "author__name")
        )
        sources = sorted(PaperSource.objects.values_list("source", "source_id", "content_hash"))
        return papers, authorships, sources


class HostileFileInReaderProcessTests(test_import_hostile.HostileFileTests):
    """Every hostile case again, read by the child process: refused the same way, nothing written."""

    def setUp(self):
        super().setUp()
        self.enterContext(mock.patch.object(process, "MIN_BYTES", 0))
        started = time.monotonic()
        self.addCleanup(lambda: self.assertLess(time.monotonic() - started, 30))
