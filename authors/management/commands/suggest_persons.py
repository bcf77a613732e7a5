"""Write the persons Arrow's grouping sees in each name cluster, as JSON Lines, for anyone to score.

One line per cluster with papers: {"cluster": slug, "name": name, "groups": [[{"source": s,
"source_id": id}, ...], ...]}, every paper of the cluster's live rows in exactly one group, the
largest group first. The split queue in the admin reads the same grouping (authors.curation.work).
"""

import json
import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from authors.curation.work import suggested_persons

PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = "Write each name cluster's suggested persons as JSON Lines (--output FILE, or - for stdout)."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the file to write (replaced when done), or -")

    def handle(self, *args, **options):
        output = options["output"]
        if output == "-":
            self.write(sys.stdout)
            return
        target = Path(output)
        if not target.parent.is_dir():
            raise CommandError(f"No such folder: {target.parent}")
        # Written beside the target and renamed when complete: an interrupted run leaves the old file.
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                lines = self.write(out)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(f"Wrote {lines} clusters to {target}.")

    def write(self, out) -> int:
        lines = 0
        for line in suggested_persons(progress=self.progress):
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            lines += 1
        return lines

    def progress(self, done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            self.stderr.write(f"{done:,} of {total:,} clusters")
