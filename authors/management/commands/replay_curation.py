"""
Replay an `export_curation` file onto a database rebuilt by re-importing the same source files.

Every merge, split, edit and undo is applied again, in file order, through the same services the admin
calls, with rows and papers found by the source keys and provenance pairs each event recorded. The
events are attributed to --curator, which must be an existing user (make one with `create_curator`):
a replay should not mint accounts, and the original curator and time are kept in each event's data.

Safe to run twice: an event already applied (same uid) or whose result is already there is skipped.
Each event is reported as applied, skipped or failed with the reason; a failed event does not stop the
others, but the command exits non-zero after the report so scripts notice. --dry-run applies everything
in one transaction and rolls it back. The work is in `authors.curation.replay`.
"""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from authors.curation.replay import APPLIED, FAILED, SKIPPED, curation_replay


class Command(BaseCommand):
    help = "Apply a curation export (JSON Lines from export_curation, or '-' for stdin) to this database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="File written by export_curation, or '-' for stdin.")
        parser.add_argument("--curator", required=True, help="Username the replayed events are recorded under.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would happen; change nothing.")

    def handle(self, *args, **options):
        path, dry_run, verbosity = options["path"], options["dry_run"], options["verbosity"]
        user_model = get_user_model()
        curator = user_model.objects.filter(**{user_model.USERNAME_FIELD: options["curator"]}).first()
        if curator is None:
            raise CommandError(f"--curator: no user {options['curator']!r}; create one with create_curator.")

        def report(result):
            if result.status == FAILED:
                self.stderr.write(str(result))
            elif verbosity >= 1:
                self.stdout.write(str(result))

        try:
            if path == "-":
                results = curation_replay(lines=sys.stdin, curator=curator, dry_run=dry_run, on_result=report)
            else:
                with Path(path).open(encoding="utf-8") as lines:
                    results = curation_replay(lines=lines, curator=curator, dry_run=dry_run, on_result=report)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error

        counts = {status: sum(r.status == status for r in results) for status in (APPLIED, SKIPPED, FAILED)}
        summary = ", ".join(f"{n} {status}" for status, n in counts.items())
        if dry_run:
            summary = f"Dry run, nothing written: {summary}"
        if counts[FAILED]:
            raise CommandError(f"{summary}; the failed events are listed above.")
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Replayed {len(results)} event(s): {summary}."))
