"""Rebuild the curator work queues (merge, split, data quality) after imports.

Each import notes the clusters it touched (all of them after a first load); this rebuilds those and
the data-quality queue, or everything with --all. Curations refresh the clusters they touch by
themselves; dismissals are kept (authors.curation.work).
"""

from django.core.management.base import BaseCommand

from authors.curation.work import refresh_curator_work, refresh_pending

PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = "Rebuild the curator work queues shown under /admin/curator-work/ (what imports left stale)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="rebuild every cluster's items, not only the stale")

    def handle(self, *args, **options):
        made = (
            refresh_curator_work(progress=self.progress) if options["all"] else refresh_pending(progress=self.progress)
        )
        if made is None:
            self.stdout.write("Nothing stale: no import since the last refresh (--all rebuilds everything).")
            return
        summary = ", ".join(f"{made.get(queue, 0)} {queue}" for queue in ("merge", "split", "quality"))
        self.stdout.write(f"Curator work: {summary} items.")

    def progress(self, done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            self.stderr.write(f"split suggestions: {done:,} of {total:,} clusters")
