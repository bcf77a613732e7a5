"""Undoing a merge or split exactly, and redoing what an undo undid."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from authors.curation.events import CuratedFlag, MovedAuthorship, MovedKey, Repointed, entries, record_event
from authors.curation.merge import author_merge
from authors.curation.rows import lock_authors, refresh_rows
from authors.curation.split import author_split
from authors.models import Author, AuthorKey, CurationEvent
from papers.models import Authorship


def _merge_undo_problems(event: CurationEvent) -> list[str]:
    data = event.data
    problems = []
    target = Author.objects.filter(pk=data["target"]).first()
    if target is None or target.merged_into_id:
        return [f"row #{data['target']} was merged or removed since"]
    sources = dict(Author.objects.filter(pk__in=data["sources"]).values_list("pk", "merged_into_id"))
    problems += [
        f"row #{pk} is no longer a tombstone of #{target.pk}" for pk in data["sources"] if sources.get(pk) != target.pk
    ]
    after = data["target_after"]
    if target.orcid != after["orcid"] or list(target.name_variants) != after["name_variants"]:
        problems.append(f"the ORCID or name variants of #{target.pk} were edited since")
    ids = [m.authorship_id for m in entries(MovedAuthorship, data["moved"])]
    ids += [c.authorship_id for c in entries(CuratedFlag, data["curated_before"])]
    current = dict(Authorship.objects.filter(pk__in=ids).values_list("pk", "author_id"))
    changed = [pk for pk in ids if current.get(pk) != target.pk]
    if changed:
        papers = list(Authorship.objects.filter(pk__in=changed).values_list("paper_id", flat=True))
        problems.append(
            f"{len(set(changed))} moved authorship(s) were edited, re-imported or removed since"
            + (f" (papers {', '.join(map(str, sorted(set(papers))))})" if papers else "")
        )
    taken = set(
        Authorship.objects.filter(paper_id__in={d["paper"] for d in data["deleted"]}).values_list(
            "paper_id", "position"
        )
    )
    clash = [d for d in data["deleted"] if (d["paper"], d["position"]) in taken]
    if clash:
        problems.append(f"paper {clash[0]['paper']} has another author at position {clash[0]['position']} now")
    key_ids = [k.key_id for k in entries(MovedKey, data["keys"])]
    keys = dict(AuthorKey.objects.filter(pk__in=key_ids).values_list("pk", "author_id"))
    if any(keys.get(pk) != target.pk for pk in key_ids):
        problems.append("some source keys moved or were removed since")
    tomb_ids = [t.tombstone_id for t in entries(Repointed, data["repointed"])]
    tombs = dict(Author.objects.filter(pk__in=tomb_ids).values_list("pk", "merged_into_id"))
    if any(tombs.get(pk) != target.pk for pk in tomb_ids):
        problems.append("older tombstones were re-pointed since")
    return problems


def _split_undo_problems(event: CurationEvent) -> list[str]:
    data = event.data
    rows = dict(Author.objects.filter(pk__in=[data["author"], data["into"]]).values_list("pk", "merged_into_id"))
    problems = [
        f"row #{pk} was merged or removed since"
        for pk in (data["author"], data["into"])
        if rows.get(pk, -1) is not None
    ]
    ids = [a.authorship_id for a in entries(CuratedFlag, data["authorships"])]
    current = dict(Authorship.objects.filter(pk__in=ids).values_list("pk", "author_id"))
    if any(current.get(pk) != data["into"] for pk in ids):
        problems.append(f"some moved authorships were edited, re-imported or removed since (row #{data['into']})")
    if data["created"]:
        extra = Authorship.objects.filter(author_id=data["into"]).exclude(pk__in=ids).count()
        if extra:
            problems.append(f"the new row #{data['into']} has {extra} other paper(s) now")
        if AuthorKey.objects.filter(author_id=data["into"]).exists():
            problems.append(f"the new row #{data['into']} has source keys now")
    return problems


def curation_undo_problems(*, event: CurationEvent) -> list[str]:
    """Why this event cannot be undone now (empty when it can): already undone, a later event on the
    same rows that depends on it, or rows changed since (by an edit or an import)."""
    if event.undone_by_id:
        return [f"it was already undone by event #{event.undone_by_id}"]
    if event.action == CurationEvent.Action.EDIT:
        return ["edits are corrected by editing again (the change page shows the locked fields)"]
    if event.action == CurationEvent.Action.UNDO and not event.data.get("undoes"):
        return ["this event does not record what it undid"]
    later = (
        CurationEvent.objects.filter(
            pk__gt=event.pk,
            undone_by__isnull=True,
            authors__in=event.authors.all(),
            # An undo event only restores the state before its event, so it never blocks an earlier one.
            action__in=[CurationEvent.Action.MERGE, CurationEvent.Action.SPLIT],
        )
        .exclude(pk=event.pk)
        .distinct()
        .order_by("-pk")
    )
    later = [e for e in later if e.data.get("undoes") != event.pk]
    if later:
        return [f"later event #{e.pk} ({e.summary}) involves the same rows; undo it first" for e in later]
    if event.action == CurationEvent.Action.MERGE:
        return _merge_undo_problems(event)
    if event.action == CurationEvent.Action.SPLIT:
        return _split_undo_problems(event)
    return _redo_problems(CurationEvent.objects.get(pk=event.data["undoes"]))


def _redo_problems(original: CurationEvent) -> list[str]:
    data = original.data
    if original.action == CurationEvent.Action.MERGE:
        ids = [data["target"], *data["sources"]]
        gone = Author.objects.filter(pk__in=ids, merged_into__isnull=False).values_list("pk", flat=True)
        return [f"row #{pk} was merged since" for pk in gone]
    rows = dict(Author.objects.filter(pk__in=[data["author"], data["into"]]).values_list("pk", "merged_into_id"))
    problems = [] if rows.get(data["author"], 0) is None else [f"row #{data['author']} was merged or removed since"]
    on_row = set(
        Authorship.objects.filter(author_id=data["author"], paper_id__in=data["paper_ids"]).values_list(
            "paper_id", flat=True
        )
    )
    if on_row != set(data["paper_ids"]):
        problems.append(f"some of the papers are no longer on row #{data['author']}")
    # The undo left a created row as a tombstone of the original row; a chosen row must still be live.
    expected = data["author"] if data["created"] else None
    if rows.get(data["into"], -1) != expected:
        problems.append(f"row #{data['into']} was merged, revived or removed since")
    return problems


@transaction.atomic
def curation_undo(*, event: CurationEvent, curator) -> CurationEvent:
    """Undo a merge or split exactly, or redo what an undo event undid. Returns the new event.

    Raises ValidationError listing the reasons when it cannot (see `curation_undo_problems`).
    """
    # Lock the event so two curators cannot undo it twice, then every row it names.
    event = CurationEvent.objects.select_for_update().get(pk=event.pk)
    data = event.data
    if event.action == CurationEvent.Action.MERGE:
        tomb_ids = [t.tombstone_id for t in entries(Repointed, data["repointed"])]
        lock_authors([data["target"], *data["sources"], *tomb_ids])
    elif event.action == CurationEvent.Action.SPLIT:
        lock_authors([data["author"], data["into"]])
    problems = curation_undo_problems(event=event)
    if problems:
        raise ValidationError([f"Event #{event.pk} cannot be undone: {p}." for p in problems])

    if event.action == CurationEvent.Action.UNDO:
        return _redo(event, curator)
    author_ids = _merge_revert(data) if event.action == CurationEvent.Action.MERGE else _split_revert(data)
    refresh_rows(author_ids)
    new = record_event(
        action=CurationEvent.Action.UNDO,
        curator=curator,
        summary=f"Undid #{event.pk}: {event.summary}",
        target=event,
        data={"undoes": event.pk, "identity": {"undoes": event.data.get("uid")}},
        author_ids=author_ids,
    )
    event.undone_by = new
    event.save(update_fields=["undone_by"])
    return new


def _merge_revert(data: dict) -> list[int]:
    target = data["target"]
    by_author: dict[int, list[int]] = {}
    for moved in entries(MovedAuthorship, data["moved"]):
        by_author.setdefault(moved.author_id, []).append(moved.authorship_id)
    for author_id, authorship_ids in by_author.items():
        Authorship.objects.filter(pk__in=authorship_ids).update(author_id=author_id)
    for kept in entries(CuratedFlag, data["curated_before"]):
        Authorship.objects.filter(pk=kept.authorship_id).update(curated=kept.curated)
    # Same primary keys as before: links and log entries that name them stay right.
    Authorship.objects.bulk_create(
        Authorship(
            pk=d["id"],
            paper_id=d["paper"],
            author_id=d["author"],
            position=d["position"],
            printed_name=d["printed_name"],
            source=d["source"],
            source_key=d["source_key"],
            curated=d["curated"],
        )
        for d in data["deleted"]
    )
    for key in entries(MovedKey, data["keys"]):
        AuthorKey.objects.filter(pk=key.key_id).update(author_id=key.author_id)
    Author.objects.filter(pk__in=data["sources"]).update(merged_into=None, updated_at=timezone.now())
    for tomb in entries(Repointed, data["repointed"]):
        Author.objects.filter(pk=tomb.tombstone_id).update(merged_into_id=tomb.merged_into_id)
    before = data["target_before"]
    Author.objects.filter(pk=target).update(
        orcid=before["orcid"], name_variants=before["name_variants"], updated_at=timezone.now()
    )
    return [target, *data["sources"]]


def _split_revert(data: dict) -> list[int]:
    moved = entries(CuratedFlag, data["authorships"])
    for curated in (True, False):
        ids = [a.authorship_id for a in moved if a.curated is curated]
        Authorship.objects.filter(pk__in=ids).update(author_id=data["author"], curated=curated)
    if data["created"]:
        # The row the split made stays as a tombstone: its URL (maybe shared meanwhile) redirects
        # to the original row, and a redo brings the same row back.
        Author.objects.filter(pk=data["into"]).update(merged_into_id=data["author"], updated_at=timezone.now())
    return [data["author"], data["into"]]


def _redo(undo_event: CurationEvent, curator) -> CurationEvent:
    original = CurationEvent.objects.get(pk=undo_event.data["undoes"])
    data = original.data
    if original.action == CurationEvent.Action.MERGE:
        target = Author.objects.get(pk=data["target"])
        sources = list(Author.objects.filter(pk__in=data["sources"]))
        new = author_merge(target=target, sources=sources, curator=curator, redo_of=original).curation_event
    else:
        author = Author.objects.get(pk=data["author"])
        other = Author.objects.get(pk=data["into"])
        into, revive = (None, other) if data["created"] else (other, None)
        new = author_split(
            author=author, paper_ids=data["paper_ids"], curator=curator, into=into, revive=revive, redo_of=original
        ).curation_event
    undo_event.undone_by = new
    undo_event.save(update_fields=["undone_by"])
    return new
