"""
Import papers from JSON Lines (Arrow's format), dblp XML or OpenAlex works files.

Each file is one transaction: it is imported whole or not at all, so a bad record, a file cut short
or a killed import leaves the database as it was and re-running is always safe. Re-importing an
unchanged file changes nothing (records are identified by `(source, source_id)` and skipped when
their content hash is unchanged). The work is in `papers.importing.engine.import_file`; this command only
reads options, shows progress and reports.

Progress: on a terminal at -v 1 and up, a bar of bytes read against the file's size (records and
records/s beside it) when the reader knows the position, else a records counter; nothing when stderr
is not a terminal or with -v 0. -v 2 adds a line per written batch on stdout (for logs).
"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from papers.importing.engine import ImportRefused, import_file
from papers.importing.readers import FORMATS
from papers.importing.readers.records import ImportFileError


class Command(BaseCommand):
    help = "Import papers from JSON Lines, dblp XML (.xml/.xml.gz) or OpenAlex works files."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="FILE", help="Files to import, in order.")
        parser.add_argument("--format", choices=sorted(FORMATS), help="Override the format picked from the file.")
        parser.add_argument("--batch-size", type=int, default=2000, help="Records written per batch (default 2000).")
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, then roll back.")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Import the good records and list the bad ones."
        )

    def handle(self, *args, **options):
        paths = [Path(p) for p in options["paths"]]
        verbosity = options["verbosity"]
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        for path in paths:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
        failed = False
        for path in paths:
            failed |= not self.import_one(path, options, verbosity)
        if failed:
            raise CommandError("some files were not imported (see above); nothing was written from them")

    def import_one(self, path: Path, options: dict, verbosity: int) -> bool:
        progress = Progress(self.stderr, path.name, enabled=verbosity >= 1 and self.stderr.isatty())
        started = time.monotonic()
        try:
            summary = import_file(
                path,
                file_format=options["format"],
                batch_size=options["batch_size"],
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                on_progress=progress.update,
                on_batch=self.batch_reporter(path) if verbosity >= 2 else None,
            )
        except ImportFileError as error:
            progress.close()
            self.stderr.write(self.style.ERROR(f"{path}: {error}. Nothing was imported from this file."))
            return False
        except ImportRefused as refused:
            progress.close()
            self.report_errors(path, refused.summary)
            self.stderr.write(
                self.style.ERROR(
                    f"{path}: refused, {refused.summary.refused} bad record(s); nothing was imported from this "
                    "file. Fix them, or use --skip-invalid to import the good records."
                )
            )
            return False
        except KeyboardInterrupt:
            progress.close()
            # import_file had not returned, so its transaction was rolled back (only a Ctrl-C in
            # the instant of COMMIT itself could leave that unknown). 130, as shells report it.
            raise CommandError(f"{path}: interrupted; nothing was imported from this file", returncode=130) from None
        progress.close()
        self.report_errors(path, summary)
        if verbosity >= 1:
            seconds = time.monotonic() - started
            prefix = "Dry run, nothing written: " if options["dry_run"] else ""
            persons = f", {summary.persons} person records" if summary.persons else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"{prefix}{path}: {summary.created} created, {summary.updated} updated, "
                    f"{summary.unchanged} unchanged, {summary.refused} refused{persons} ({seconds:.1f}s)"
                )
            )
        return True

    def batch_reporter(self, path: Path):
        started = time.monotonic()

        def report(summary) -> None:
            seconds = time.monotonic() - started
            self.stdout.write(
                f"{path}: {summary.records:,} records written ({summary.created:,} created, "
                f"{summary.updated:,} updated, {summary.unchanged:,} unchanged), "
                f"{summary.records / max(seconds, 1e-6):,.0f} records/s"
            )
            self.stdout.flush()

        return report

    def report_errors(self, path: Path, summary) -> None:
        for error in summary.errors:
            self.stderr.write(f"{path}: {error}")
        hidden = summary.refused - len(summary.errors)
        if hidden > 0:
            self.stderr.write(f"{path}: … and {hidden} more bad record(s)")


class Progress:
    """A progress bar on a terminal: bytes of the file read (with records and records/s) when the
    reader knows its position, else a records counter. Silent when not a TTY or with -v 0."""

    def __init__(self, stream, label: str, *, enabled: bool):
        self.bar = None
        self.enabled = enabled
        self.stream = getattr(stream, "_out", sys.stderr)
        self.label = label
        self.started = time.monotonic()
        self.last = 0

    def update(self, seen: int, position: int | None = None, size: int | None = None) -> None:
        # Every 500 records: tqdm's own cost stays far below the import's.
        if not self.enabled or seen - self.last < 500:
            return
        if self.bar is None:
            from tqdm import tqdm

            if size:
                self.bar = tqdm(desc=self.label, total=size, unit="B", unit_scale=True, file=self.stream)
            else:
                self.bar = tqdm(desc=self.label, unit=" records", unit_scale=True, file=self.stream)
        if self.bar.total:
            self.bar.update((position or 0) - self.bar.n)
            rate = seen / max(time.monotonic() - self.started, 1e-6)
            self.bar.set_postfix_str(f"{seen:,} records, {rate:,.0f}/s", refresh=False)
        else:
            self.bar.update(seen - self.last)
        self.last = seen

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
