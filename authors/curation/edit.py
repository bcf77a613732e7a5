"""Curator edits: a paper's author list, and the fields of an author row, paper or venue."""

from collections.abc import Iterable

from django.db import models, transaction

from authors.curation.events import (
    authorship_dict,
    object_identity,
    plain,
    record_event,
    rows_identity,
    stable_value,
)
from authors.curation.rows import refresh_rows
from authors.models import Author, CurationEvent
from authors.names import cluster_key
from authors.upkeep import clusters_refresh_counts, clusters_resolve
from papers.models import Authorship, Paper

# Offset that parks authorship positions while a paper's author list is reordered, so the
# (paper, position) unique constraint never sees two rows at one position mid-way.
POSITION_PARK = 16_000


@transaction.atomic
def paper_authorships_save(*, paper: Paper, saved: list[Authorship], deleted: list[Authorship]) -> dict:
    """Write a curator's edit of a paper's author list (the admin inline): removed, changed and added
    authorships, reorders included. Every written authorship becomes curated. Returns what changed."""
    existing_ids = [a.pk for a in saved if a.pk]
    before = {a.pk: a for a in Authorship.objects.filter(pk__in=existing_ids + [a.pk for a in deleted if a.pk])}
    removed = [authorship_dict(before[a.pk]) for a in deleted if a.pk in before]
    Authorship.objects.filter(pk__in=[r["id"] for r in removed]).delete()
    Authorship.objects.filter(pk__in=existing_ids).update(position=models.F("position") + POSITION_PARK)
    changed, added = [], []
    for authorship in saved:
        old = before.get(authorship.pk)
        diff = {}
        if old is not None:
            diff = {
                f: [getattr(old, f), getattr(authorship, f)]
                for f in ("author_id", "position", "printed_name")
                if getattr(old, f) != getattr(authorship, f)
            }
            if not diff:
                # Unchanged (the admin may resubmit a row): put its parked position back as it was.
                Authorship.objects.filter(pk=old.pk).update(position=old.position)
                continue
        authorship.paper = paper
        authorship.curated = True
        authorship.save()
        if old is None:
            added.append(authorship_dict(authorship))
        else:
            changed.append({"id": authorship.pk, "changes": diff})
    author_ids = {r["author"] for r in removed} | {a["author"] for a in added}
    for change in changed:
        author_ids.update(change["changes"].get("author_id", []))
    refresh_rows(author_ids)
    return {"added": added, "changed": changed, "removed": removed, "author_ids": sorted(author_ids)}


@transaction.atomic
def curation_edit(
    *,
    obj: models.Model,
    changes: dict[str, tuple],
    curator,
    unlock: Iterable[str] = (),
    authorships: dict | None = None,
) -> CurationEvent | None:
    """Record a curator's edit of an author row, paper or venue the admin form already saved.

    Changed fields are locked (imports never overwrite them), fields ticked in `unlock` are released,
    an edited author list locks "authors" on the paper, and a renamed author row moves to the name
    cluster of its new name. Returns the edit event, or None when nothing changed.
    """
    unlock = set(unlock) - set(changes)
    authorships = authorships or {}
    authors_changed = any(authorships.get(k) for k in ("added", "changed", "removed"))
    if not changes and not unlock and not authors_changed:
        return None
    locked = (set(obj.locked_fields) - unlock) | set(changes)
    if authors_changed:
        locked.add("authors")
    obj.locked_fields = sorted(locked)
    type(obj).objects.filter(pk=obj.pk).update(locked_fields=obj.locked_fields)
    identity = _edit_identity(obj, changes, authors_changed)

    author_ids = set(authorships.get("author_ids", ()))
    if isinstance(obj, Author):
        author_ids.add(obj.pk)
        if "name" in changes and cluster_key(obj.name) != obj.cluster.key:
            old_cluster = obj.cluster_id
            obj.cluster = clusters_resolve(names=[obj.name])[cluster_key(obj.name)]
            obj.save(update_fields=["cluster", "updated_at"])
            clusters_refresh_counts(cluster_ids=[old_cluster, obj.cluster_id])
            changes = {**changes, "cluster": (old_cluster, obj.cluster_id)}
    elif isinstance(obj, Paper):
        # The paper's authors (and any it lost) see the edit in their history.
        author_ids.update(obj.authorships.values_list("author_id", flat=True))

    parts = [", ".join(changes)] if changes else []
    if authors_changed:
        parts.append("author list")
    if unlock:
        parts.append("unlocked " + ", ".join(sorted(unlock)))
    data = {
        "model": obj._meta.label_lower,
        "changes": {name: [plain(a), plain(b)] for name, (a, b) in changes.items()},
        "locked": obj.locked_fields,
        "unlocked": sorted(unlock),
        "identity": identity,
    }
    if authors_changed:
        data["authorships"] = {k: authorships[k] for k in ("added", "changed", "removed")}
    return record_event(
        action=CurationEvent.Action.EDIT,
        curator=curator,
        summary=f"Edited {obj._meta.verbose_name} #{obj.pk} {str(obj)[:200]}: {'; '.join(parts)}",
        target=obj,
        data=data,
        author_ids=author_ids,
    )


def _edit_identity(obj: models.Model, changes: dict[str, tuple], authors_changed: bool) -> dict:
    """What an edit changed, by stable names: the target as it was called before, each field's
    before and after values, and a curated author list in full (the list after the edit)."""
    identity = {
        "model": obj._meta.label_lower,
        "target": object_identity(obj, before={name: before for name, (before, _) in changes.items()}),
        "fields": {
            name: [stable_value(obj, name, before), stable_value(obj, name, after)]
            for name, (before, after) in changes.items()
        },
        "authors": None,
    }
    if authors_changed:
        listed = list(obj.authorships.order_by("position").values_list("position", "author_id", "printed_name"))
        rows = rows_identity(author_id for _, author_id, _ in listed)
        identity["authors"] = [[position, rows[author_id], printed] for position, author_id, printed in listed]
    return identity
