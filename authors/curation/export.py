"""Curation events as JSON Lines: the record of every curator decision, kept apart from the database.

Each line is one event, oldest first: `id`, `uid`, `action`, `created_at`, `curator`, `summary`,
`target_type`, `target_id`, `undone_by`, `data` as the services recorded it, and `authors`, each row
the event touched by id with the source keys (`[source, key]`) it had *when the event happened*.
`data["identity"]` names rows, papers and venues by source keys, provenance pairs and short names
(authors.curation.events); ids change when a database is rebuilt from the sources, those do not, so
`replay_curation` can apply the file to a fresh import (docs/deployment.md, "Backups").
Events recorded before identities were kept have no `data["identity"]`; their `authors` fall back to
the keys the rows hold now, and the replay reports them as failed.
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
            "uid": event.data.get("uid"),
            "data": event.data,
            "authors": _authors_keys(event),
            "undone_by": event.undone_by_id,
        }


def _recorded_rows(identity: dict) -> Iterator[dict]:
    """Every author row identity an event's `data["identity"]` holds, wherever it sits."""
    for name in ("target", "author", "into"):
        row = identity.get(name)
        if isinstance(row, dict) and "keys" in row:
            yield row
    yield from identity.get("sources") or []
    for _, row, _ in identity.get("authors") or []:
        yield row


def _authors_keys(event: CurationEvent) -> dict[str, list]:
    recorded = {str(row["id"]): row["keys"] for row in _recorded_rows(event.data.get("identity") or {})}
    # A row the identity does not name (an older event, or a paper edit's lost author) gets its keys now.
    now = {str(a.pk): [[k.source, k.key] for k in a.keys.all()] for a in event.authors.all()}
    return {**now, **recorded}


def curation_events_export(*, out: TextIO, since: datetime | None = None) -> int:
    """Write the events to `out`, one JSON object per line; returns how many."""
    count = 0
    for entry in curation_events_as_dicts(since=since):
        out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
        count += 1
    return count
