"""
Export every curation event (merge, split, edit, undo) as JSON Lines, oldest first.

Run it after each backup, or nightly: the file is small, human-readable, and names author rows by
their source keys as well as by id, so curation survives even a database rebuilt from the sources.
The work is in `authors.curation.export`; this command only opens the file and reports.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from authors.curation.export import curation_events_export


class Command(BaseCommand):
    help = "Write all curation events to a JSON Lines file (or stdout with '-')."

    def add_arguments(self, parser):
        parser.add_argument("output", help="File to write, or '-' for stdout.")
        parser.add_argument("--since", help="Only events at or after this ISO date-time (e.g. 2026-01-31T00:00Z).")

    def handle(self, *args, **options):
        since = None
        if options["since"]:
            since = parse_datetime(options["since"])
            if since is None:
                raise CommandError(f"--since: not an ISO date-time: {options['since']!r}")
            if timezone.is_naive(since):
                since = timezone.make_aware(since, timezone.UTC)
        if options["output"] == "-":
            count = curation_events_export(out=self.stdout, since=since)
        else:
            path = Path(options["output"])
            with path.open("w", encoding="utf-8") as out:
                count = curation_events_export(out=out, since=since)
        if options["verbosity"] >= 1 and options["output"] != "-":
            self.stderr.write(self.style.SUCCESS(f"Exported {count} curation event(s) to {options['output']}."))
