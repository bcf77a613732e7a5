"""Merging author rows: one survives, the others stay as tombstones redirecting to it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from authors.curation.events import (
    CuratedFlag,
    MovedAuthorship,
    MovedKey,
    Repointed,
    authorship_dict,
    entries,
    record_event,
    rows_identity,
    stored,
)
from authors.curation.rows import lock_authors, refresh_rows
from authors.models import Author, AuthorKey, CurationEvent
from papers.models import Authorship


@transaction.atomic
def author_merge(*, target: Author, sources: list[Author], curator, redo_of: CurationEvent | None = None) -> Author:
    """Merge `sources` into `target`; the sources stay as tombstones redirecting to it.

    Returns the refreshed target with `.curation_event` set to the merge event (its `data["duplicates"]`
    lists papers on which two merged rows were both authors and one authorship was dropped).
    """
    source_ids = sorted({s.pk for s in sources})
    if not source_ids:
        raise ValidationError("Choose at least one row to merge into the surviving row.")
    if target.pk in source_ids:
        raise ValidationError("The surviving row cannot also be merged into itself.")
    # Re-validate inside the lock: another curator may have merged one of these rows meanwhile.
    rows = lock_authors([target.pk, *source_ids])
    missing = [pk for pk in [target.pk, *source_ids] if pk not in rows]
    if missing:
        raise ValidationError(f"Author row(s) {', '.join(map(str, missing))} no longer exist.")
    gone = [rows[pk] for pk in [target.pk, *source_ids] if rows[pk].merged_into_id]
    if gone:
        raise ValidationError(
            "Already merged: "
            + ", ".join(f"#{row.pk} {row.full_name} (into #{row.merged_into_id})" for row in gone)
            + ". Reload the list and choose again."
        )
    target = rows[target.pk]
    ids = [target.pk, *source_ids]
    # Before the keys move: afterwards the sources have none.
    identities = rows_identity(ids)

    # One authorship per paper survives: the earliest position, now on the target.
    by_paper: dict[int, list[Authorship]] = {}
    for authorship in Authorship.objects.select_for_update().filter(author_id__in=ids).order_by("pk"):
        by_paper.setdefault(authorship.paper_id, []).append(authorship)
    moved, deleted, curated_before, duplicates = [], [], [], []
    for paper_id, group in by_paper.items():
        group.sort(key=lambda a: a.position)
        keep = group[0]
        if keep.author_id != target.pk:
            moved.append(MovedAuthorship(keep.pk, keep.author_id))
        if len(group) > 1:
            duplicates.append(paper_id)
            deleted.extend(authorship_dict(a) for a in group[1:])
            # Curated, so a re-import of this paper does not bring the dropped authorship back.
            curated_before.append(CuratedFlag(keep.pk, keep.curated))
    if deleted:
        Authorship.objects.filter(pk__in=[d["id"] for d in deleted]).delete()
    if moved:
        Authorship.objects.filter(pk__in=[m.authorship_id for m in moved]).update(author=target)
    if curated_before:
        Authorship.objects.filter(pk__in=[c.authorship_id for c in curated_before]).update(curated=True)

    keys = entries(MovedKey, AuthorKey.objects.filter(author_id__in=source_ids).values_list("pk", "author_id"))
    AuthorKey.objects.filter(author_id__in=source_ids).update(author=target)
    # Older tombstones point straight at the new survivor: every redirect stays one hop.
    repointed = entries(
        Repointed, Author.objects.filter(merged_into_id__in=source_ids).values_list("pk", "merged_into_id")
    )
    Author.objects.filter(merged_into_id__in=source_ids).update(merged_into=target)
    Author.objects.filter(pk__in=source_ids).update(merged_into=target, updated_at=timezone.now())

    before = {"orcid": target.orcid, "name_variants": list(target.name_variants)}
    variants = list(target.name_variants)
    orcid_conflicts = []
    for source in (rows[pk] for pk in source_ids):
        for name in [source.name, *source.name_variants]:
            if name and name != target.name and name not in variants:
                variants.append(name)
        if source.orcid and not target.orcid:
            target.orcid = source.orcid
        elif source.orcid and source.orcid != target.orcid:
            orcid_conflicts.append({"author": source.pk, "orcid": source.orcid})
    target.name_variants = variants
    target.save(update_fields=["orcid", "name_variants", "updated_at"])
    refresh_rows(ids)

    names = ", ".join(f"#{pk} {rows[pk].full_name}" for pk in source_ids)
    summary = f"Merged {names} into #{target.pk} {target.full_name}"
    if duplicates:
        summary += f"; both were authors of {len(duplicates)} paper(s), one authorship kept"
    if redo_of is not None:
        summary = f"Redo of #{redo_of.pk}: {summary}"
    data = {
        "target": target.pk,
        "sources": source_ids,
        "moved": stored(moved),
        "deleted": deleted,
        "curated_before": stored(curated_before),
        "duplicates": duplicates,
        "keys": stored(keys),
        "repointed": stored(repointed),
        "target_before": before,
        "target_after": {"orcid": target.orcid, "name_variants": list(target.name_variants)},
        "orcid_conflicts": orcid_conflicts,
        "identity": {
            "target": identities[target.pk],
            "sources": [identities[pk] for pk in source_ids],
            "redo_of": redo_of.data.get("uid") if redo_of is not None else None,
        },
    }
    event = record_event(
        action=CurationEvent.Action.MERGE, curator=curator, summary=summary, target=target, data=data, author_ids=ids
    )
    target.refresh_from_db()
    target.curation_event = event
    return target
