"""Curation events as JSON Lines: the record of every curator decision, kept apart from the database.

Each line is one event, oldest first, with the author rows it touched named both by id and by their
source keys (`[source, key]`). Ids change when a database is rebuilt from the sources; source keys do
not, so the file can be replayed onto a fresh import (docs/deployment.md, "Backups").
"""

import json
from collections.abc import Iterator
from datetime import datetime
from typing import TextIO

from django.db.models import Prefetch

from authors.models import AuthorKey, CurationEvent


def curation_events_as_dicts(*, since: datetime | None = None) -> Iterator[dict]:
    events = (
        CurationEvent.objects.select_related("curator")
        .prefetch_related("authors", Prefetch("authors__keys", queryset=AuthorKey.objects.order_by("source", "key")))
        .order_by("created_at", "pk")
    )
    if since is not None:
        events = events.filter(created_at__gte=since)
    # chunk_size bounds memory on a long history; the prefetches run once per chunk.
    for event in events.iterator(chunk_size=500):
        yield {
            "id": event.pk,
            "action": event.action,
            "created_at": event.created_at.isoformat(),
            "curator": event.curator.get_username() if event.curator else None,
            "summary": event.summary,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "data": event.data,
            "authors": {
                str(author.pk): [[key.source, key.key] for key in author.keys.all()] for author in event.authors.all()
            },
            "undone_by": event.undone_by_id,
        }


def curation_events_export(*, out: TextIO, since: datetime | None = None) -> int:
    """Write the events to `out`, one JSON object per line; returns how many."""
    count = 0
    for entry in curation_events_as_dicts(since=since):
        out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
