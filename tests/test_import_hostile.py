"""Hostile or broken files are refused quickly, naming the place, with nothing written or read from outside."""

import gzip
import time
from contextlib import suppress
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import TestCase

from authors.models import Author
from papers.importing.readers import process
from papers.models import Paper, Venue
from tests.conftest import SHARED, run_manage_subprocess

XCURATOR = SHARED / "data" / "real" / "dblp" / "xcurator_dblp_sample_2013.xml"
RECORD = '<article key="a/1"><author>Ada Lovelace</author><title>T &eacute; {body}.</title><year>2020</year></article>'
LAUGHS = "\n".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' if n else '<!ENTITY lol0 "lol">' for n in range(10))


class HostileFileTests(TestCase):
    def setUp(self):
        self.tmp = Path(self.enterContext(TemporaryDirectory()))

    def write(self, text: str, name: str = "dblp.xml") -> Path:
        path = self.tmp / name
        path.write_bytes(text.encode("iso-8859-1") if isinstance(text, str) else text)
        return path

    def assertRefused(self, path: Path, *expected: str, format: str | None = None) -> str:
        out = StringIO()
        started = time.monotonic()
        with self.assertRaises(CommandError):
            call_command("import_papers", str(path), stdout=out, stderr=out, **({"format": format} if format else {}))
        self.assertLess(time.monotonic() - started, 10)
        output = out.getvalue()
        for text in expected:
            self.assertIn(text, output)
        self.assertIn("othing was imported from this file", output)
        self.assertNotIn("Traceback", output)
        self.assertEqual((Paper.objects.count(), Author.objects.count(), Venue.objects.count()), (0, 0, 0))
        return output

    def test_a_truncated_xml_file_is_refused_at_once(self):
        data = XCURATOR.read_bytes()
        self.assertRefused(self.write(data[: len(data) // 2]), "ends without closing <dblp>")

    def test_a_truncated_gzip_file_is_refused(self):
        data = gzip.compress(XCURATOR.read_bytes())
        self.assertRefused(self.write(data[: len(data) // 2], "dblp.xml.gz"), "cannot be read to the end")

    def test_xml_cut_inside_a_record_names_the_line(self):
        text = '<?xml version="1.0"?>\n<dblp>\n<article key="a/1">\n<title>T</title>\n</dblp>\n'
        self.assertRefused(self.write(text), "line 5, column", "not well-formed")

    def assertRefusedBothWays(self, path: Path, *expected: str) -> None:
        """Refused with the same message read here and read by the reader process (the default for
        files of 2 MB and more)."""
        for threshold in (process.MIN_BYTES, 0):
            with self.subTest(reader_process=threshold == 0), mock.patch.object(process, "MIN_BYTES", threshold):
                self.assertRefused(path, *expected)

    def cut_dump(self) -> tuple[bytes, int]:
        """A dump of ten records, four lines each, without its end; and the line of its last record's end."""
        records = "".join(
            f'\n<article key="a/{n}">\n<title>T{n}.</title>\n<year>2020</year>\n</article>' for n in range(10)
        )
        text = f'<?xml version="1.0"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>{records}\n'
        return text.encode(), 3 + 4 * 10

    def test_a_dump_cut_inside_a_record_names_the_line_where_it_ends(self):
        data, last = self.cut_dump()
        cut = data[: data.rindex(b"<year>")] + b"<year>20"
        self.assertRefusedBothWays(self.write(cut), f"line {last - 1}: the file is cut short")

    def test_a_dump_cut_between_records_names_the_line_where_it_ends(self):
        data, last = self.cut_dump()
        self.assertRefusedBothWays(self.write(data), f"line {last}: the file is cut short")

    def test_a_gzip_dump_cut_short_names_the_line_where_it_ends(self):
        data, last = self.cut_dump()
        # Whole records after the cut dump, so that half the compressed file ends past line `last`.
        packed = gzip.compress(data + XCURATOR.read_bytes().split(b"<dblp>", 1)[1])
        cut = packed[: len(packed) // 2]
        with gzip.open(self.write(cut, "probe.gz")) as stream:
            readable = b""
            with suppress(EOFError):
                while chunk := stream.read1(4096):
                    readable += chunk
        line = readable.rstrip().count(b"\n") + 1
        self.assertGreater(line, last)
        self.assertRefusedBothWays(
            self.write(cut, "dblp.xml.gz"), f"line {line}: the file is cut short", "cannot be read to the end"
        )

    def test_a_binary_file_is_refused(self):
        self.assertRefused(
            self.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "x.xml"), "not a format Arrow imports"
        )
        self.assertRefused(self.write(b"<\x00\xff\xfe" * 100, "y.xml"), "line 1", format="dblp")

    def test_a_binary_file_given_as_dblp_is_not_taken_for_a_cut_short_one(self):
        # Random bytes hold a "<name" somewhere; that is no root element, and the file is not cut short.
        data = bytes(range(256)) * 40 + b"</x>"
        output = self.assertRefused(self.write(data, "z.dat"), "line 1, column 1: not dblp XML", format="dblp")
        self.assertNotIn("cut short", output)

    def test_text_before_the_root_element_is_refused_where_it_is(self):
        prolog = '<?xml version="1.0"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n'
        text = f"{prolog}Hello\n<dblp>{RECORD.format(body='')}</dblp>\n"
        self.assertRefused(self.write(text), "line 3, column 1: not dblp XML", "'Hello\\n<dblp>")
        self.assertRefused(self.write(b""), "line 1, column 1: not dblp XML", "has its end there", format="dblp")

    def test_a_prolog_with_a_byte_order_mark_and_comments_is_read(self):
        text = (
            '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- dblp -->\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n'
            f"<!-- records -->\n<?pi x?>\n<dblp>{RECORD.format(body='')}</dblp>\n"
        )
        call_command("import_papers", str(self.write(text.encode("utf-8"))), stdout=StringIO(), stderr=StringIO())
        self.assertEqual(Paper.objects.get().title, "T é")

    def test_wrong_types_name_the_line(self):
        text = '<?xml version="1.0"?>\n<dblp>\n<article key="a/1">\n<title>T</title>\n<year>MMXX</year>\n'
        text += "</article>\n</dblp>"
        self.assertRefused(self.write(text), "line 5: <year> must be a year, not 'MMXX'")

    def test_an_entity_bomb_is_refused_before_parsing(self):
        text = f'<?xml version="1.0"?>\n<!DOCTYPE dblp [\n{LAUGHS}\n]>\n<dblp>{RECORD.format(body="&lol9;")}</dblp>\n'
        self.assertRefused(self.write(text), "line 2, column 16: the DOCTYPE declares its own entities")

    def test_an_external_entity_to_a_local_file_is_refused(self):
        text = (
            '<?xml version="1.0"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd" [\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
            f"<dblp>{RECORD.format(body='&xxe;')}</dblp>\n"
        )
        self.assertRefused(self.write(text), "the DOCTYPE declares its own entities")

    def test_a_dtd_beside_the_file_may_not_read_other_files(self):
        # Defence in depth: the resolver serves dblp.dtd only, whatever the DTD asks for.
        self.write('<!ENTITY eacute "&#233;">\n<!ENTITY xxe SYSTEM "file:///etc/passwd">\n', "dblp.dtd")
        text = f'<?xml version="1.0"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>{RECORD.format(body="&xxe;")}</dblp>\n'
        output = self.assertRefused(self.write(text), "refers to another file ('file:///etc/passwd')")
        self.assertNotIn("root:", output)

    def test_an_entity_bomb_in_the_dtd_beside_the_file_is_stopped_by_the_parser(self):
        self.write(f'<!ENTITY eacute "&#233;">\n{LAUGHS}\n', "dblp.dtd")
        text = (
            f'<?xml version="1.0"?>\n<!DOCTYPE dblp SYSTEM "dblp.dtd">\n<dblp>{RECORD.format(body="&lol9;")}</dblp>\n'
        )
        self.assertRefused(self.write(text), "entities expand too much")

    def test_a_doctype_naming_another_dtd_is_refused(self):
        text = f'<?xml version="1.0"?>\n<!DOCTYPE dblp SYSTEM "file:///etc/passwd">\n<dblp>{RECORD.format(body="")}</dblp>\n'
        self.assertRefused(self.write(text), "refers to another file ('file:///etc/passwd')")

    def test_the_command_exits_non_zero_without_a_traceback(self):
        data = XCURATOR.read_bytes()
        path = self.write(data[: len(data) // 3])
        result = run_manage_subprocess("import_papers", str(path))

        self.assertEqual(result.returncode, 1)
        self.assertIn("ends without closing <dblp>", result.stderr)
        self.assertNotIn("Traceback", result.stderr + result.stdout)
