"""Rebuild the curator work queues (merge, split, data quality) from the database; run after imports.

Curations refresh the clusters they touch by themselves; dismissals are kept (authors.curator_work).
"""

from django.core.management.base import BaseCommand

from authors.curator_work import refresh_curator_work

PROGRESS_EVERY = 1000


class Command(BaseCommand):
    help = "Rebuild the curator work queues shown under /admin/curator-work/."

    def handle(self, *args, **options):
        made = refresh_curator_work(progress=self.progress)
        summary = ", ".join(f"{made.get(queue, 0)} {queue}" for queue in ("merge", "split", "quality"))
        self.stdout.write(f"Curator work: {summary} items.")

    def progress(self, done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            self.stderr.write(f"split suggestions: {done:,} of {total:,} clusters")
