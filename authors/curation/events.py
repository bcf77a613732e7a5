"""The CurationEvent every curation writes, and the stable identities that let an export be replayed.

An event's `data` holds what undo needs to put the rows back exactly, and its `authors` M2M names
every row involved (the public author page lists its history from it).

`data["uid"]` names the event across databases, and `data["identity"]` names what it touched the way
a rebuilt database can find it again: author rows by their source keys as they were at that moment
(a merge moves them, so a tombstone has none later), papers by their provenance (source, source_id)
pairs, venues by short name. Database ids change when a database is rebuilt from the source files;
these do not, so an export can be replayed (authors.curation.replay, docs/deployment.md "Backups").
"""

import uuid
from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from arrow_site.cache import public_pages_changed
from authors.models import Author, AuthorKey, CurationEvent
from papers.models import Authorship, Paper, PaperSource, Venue

# The pairs an event's data stores as two-item JSON lists. Exports and existing databases hold them
# in this order, so the fields' order is fixed; code reads them by name through `entries`.


class MovedAuthorship(NamedTuple):
    """A merge's `moved`: an authorship now on the surviving row, and the row it was on."""

    authorship_id: int
    author_id: int


class CuratedFlag(NamedTuple):
    """A merge's `curated_before` and a split's `authorships`: an authorship and its flag before."""

    authorship_id: int
    curated: bool


class MovedKey(NamedTuple):
    """A merge's `keys`: a source key now on the surviving row, and the row it was on."""

    key_id: int
    author_id: int


class Repointed(NamedTuple):
    """A merge's `repointed`: an older tombstone now pointing at the survivor, and where it pointed."""

    tombstone_id: int
    merged_into_id: int


def entries[T: tuple](kind: type[T], pairs: Iterable[Iterable]) -> list[T]:
    """An event's stored pairs, each readable by field name."""
    return [kind._make(pair) for pair in pairs]


def stored(pairs: Iterable[tuple]) -> list[list]:
    """Pairs as an event's data stores them: JSON lists in the fields' order."""
    return [list(pair) for pair in pairs]


def plain(value):
    """A value as JSON can hold it: model instances by pk, anything unusual as text."""
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def rows_identity(ids: Iterable[int]) -> dict[int, dict]:
    """Each author row as a rebuilt database can find it: its source keys now, or (a row a split made
    has none) the uid of the split that made it. Two queries, three with keyless rows."""
    ids = sorted(set(ids))
    rows = {
        author.pk: {"id": author.pk, "name": author.full_name, "keys": [], "created_by": None}
        for author in Author.objects.filter(pk__in=ids).only("name", "homonym_number")
    }
    for author_id, source, key in (
        AuthorKey.objects.filter(author_id__in=ids).order_by("source", "key").values_list("author_id", "source", "key")
    ):
        rows[author_id]["keys"].append([source, key])
    keyless = [pk for pk, row in rows.items() if not row["keys"]]
    if keyless:
        # The curation log is small (a few events per curator-hour), so a scan of it is cheap; the
        # first split that made the row names it, and a replayed split keeps that split's uid.
        made = CurationEvent.objects.filter(action=CurationEvent.Action.SPLIT, data__created=True).order_by("pk")
        for data in made.filter(data__into__in=keyless).values_list("data", flat=True):
            if rows[data["into"]]["created_by"] is None:
                rows[data["into"]]["created_by"] = data.get("uid")
    return rows


def papers_identity(ids: Iterable[int]) -> dict[int, dict]:
    """Each paper as a rebuilt database can find it: its provenance pairs, and its DOI as a fallback."""
    ids = sorted(set(ids))
    papers = {
        pk: {"id": pk, "title": title[:200], "doi": doi, "sources": []}
        for pk, title, doi in Paper.objects.filter(pk__in=ids).values_list("pk", "title", "doi")
    }
    for paper_id, source, source_id in (
        PaperSource.objects.filter(paper_id__in=ids)
        .order_by("source", "source_id")
        .values_list("paper_id", "source", "source_id")
    ):
        papers[paper_id]["sources"].append([source, source_id])
    return papers


def object_identity(obj: models.Model, before: dict | None = None) -> dict:
    """An edited author row, paper or venue, named by what it was called before the edit."""
    before = before or {}
    if isinstance(obj, Author):
        return rows_identity([obj.pk])[obj.pk]
    if isinstance(obj, Paper):
        identity = papers_identity([obj.pk])[obj.pk]
        return {**identity, "doi": before.get("doi", identity["doi"])}
    if isinstance(obj, Venue):
        return {"id": obj.pk, "short_name": before.get("short_name", obj.short_name)}
    return {"id": obj.pk}


def stable_value(obj: models.Model, name: str, value):
    """A field value as a rebuilt database can read it: a related row by its identity, not its id."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return plain(value)
    if not field.is_relation or value is None:
        return plain(value)
    # The admin form's initial value of a foreign key is the id; its cleaned value is the instance.
    related = value if isinstance(value, models.Model) else field.related_model.objects.filter(pk=value).first()
    return object_identity(related) if related is not None else None


def record_event(
    *, action: str, curator, summary: str, target: models.Model | None, data: dict, author_ids
) -> CurationEvent:
    """Write the event with a fresh uid, naming every row involved."""
    event = CurationEvent.objects.create(
        action=action,
        curator=curator if getattr(curator, "pk", None) else None,
        summary=summary[:500],
        target_type=target._meta.model_name if target is not None else "",
        target_id=target.pk if target is not None else None,
        # Random, so two databases never mint the same one; a replay copies the original's uid.
        data={**data, "uid": uuid.uuid4().hex},
    )
    event.authors.set(sorted(set(author_ids)))
    # Every curation changes what public pages show; cached copies are dropped when this commits.
    public_pages_changed()
    return event


def authorship_dict(authorship: Authorship) -> dict:
    """An authorship in full, as an event keeps one it deleted or added."""
    return {
        "id": authorship.pk,
        "paper": authorship.paper_id,
        "author": authorship.author_id,
        "position": authorship.position,
        "printed_name": authorship.printed_name,
        "source": authorship.source,
        "source_key": authorship.source_key,
        "curated": authorship.curated,
    }
