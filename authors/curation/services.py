"""Curation: merge, split, undo and edits of author rows, each logged as a CurationEvent.

Called by the admin, management commands and tests alike.
"""

import uuid
from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone

from arrow_site.cache import public_pages_changed
from authors.curation.work import refresh_after_curation
from authors.homonyms import next_homonym_number
from authors.models import Author, AuthorKey, CurationEvent
from authors.names import cluster_key
from authors.upkeep import author_cluster_ids, authors_refresh_counts, clusters_refresh_counts, clusters_resolve
from papers.models import Authorship, Paper, PaperSource, Venue

# -- curation: merge, split, undo, edits -------------------------------------------------------------
#
# Every function below writes one CurationEvent whose `data` holds what undo needs to put the rows back
# exactly, and whose `authors` M2M names every row involved (the public author page lists its history
# from it). The admin, the tests and any future API call these same functions.
#
# `data["uid"]` names the event across databases, and `data["identity"]` names what it touched the way
# a rebuilt database can find it again: author rows by their source keys as they were at that moment
# (a merge moves them, so a tombstone has none later), papers by their provenance (source, source_id)
# pairs, venues by short name. Database ids change when a database is rebuilt from the source files;
# these do not, so an export can be replayed (authors.curation.replay, docs/deployment.md "Backups").

# Offset that parks authorship positions while a paper's author list is reordered, so the
# (paper, position) unique constraint never sees two rows at one position mid-way.
POSITION_PARK = 16_000


def _plain(value):
    """A value as JSON can hold it: model instances by pk, anything unusual as text."""
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def _rows_identity(ids: Iterable[int]) -> dict[int, dict]:
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


def _papers_identity(ids: Iterable[int]) -> dict[int, dict]:
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


def _object_identity(obj: models.Model, before: dict | None = None) -> dict:
    """An edited author row, paper or venue, named by what it was called before the edit."""
    before = before or {}
    if isinstance(obj, Author):
        return _rows_identity([obj.pk])[obj.pk]
    if isinstance(obj, Paper):
        identity = _papers_identity([obj.pk])[obj.pk]
        return {**identity, "doi": before.get("doi", identity["doi"])}
    if isinstance(obj, Venue):
        return {"id": obj.pk, "short_name": before.get("short_name", obj.short_name)}
    return {"id": obj.pk}


def _stable_value(obj: models.Model, name: str, value):
    """A field value as a rebuilt database can read it: a related row by its identity, not its id."""
    try:
        field = obj._meta.get_field(name)
    except FieldDoesNotExist:
        return _plain(value)
    if not field.is_relation or value is None:
        return _plain(value)
    # The admin form's initial value of a foreign key is the id; its cleaned value is the instance.
    related = value if isinstance(value, models.Model) else field.related_model.objects.filter(pk=value).first()
    return _object_identity(related) if related is not None else None


def _event(*, action: str, curator, summary: str, target: models.Model | None, data: dict, author_ids) -> CurationEvent:
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


def _refresh(author_ids: Iterable[int]) -> None:
    """Counts of these rows and of every cluster they sit in."""
    author_ids = set(author_ids)
    authors_refresh_counts(author_ids=author_ids)
    cluster_ids = author_cluster_ids(author_ids)
    clusters_refresh_counts(cluster_ids=cluster_ids)
    refresh_after_curation(cluster_ids)


def _lock_authors(ids: Iterable[int]) -> dict[int, Author]:
    """Lock rows in primary-key order: two curators locking overlapping rows never deadlock."""
    rows = Author.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
    return {row.pk: row for row in rows}


def _authorship_dict(authorship: Authorship) -> dict:
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


def _papers_text(paper_ids: list[int], limit: int = 3) -> str:
    titles = list(Paper.objects.filter(pk__in=paper_ids[:limit]).values_list("title", flat=True))
    text = "; ".join(f"“{title[:80]}”" for title in titles)
    return text + (f" and {len(paper_ids) - limit} more" if len(paper_ids) > limit else "")


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
    rows = _lock_authors([target.pk, *source_ids])
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
    identities = _rows_identity(ids)

    # One authorship per paper survives: the earliest position, now on the target.
    by_paper: dict[int, list[Authorship]] = {}
    for authorship in Authorship.objects.select_for_update().filter(author_id__in=ids).order_by("pk"):
        by_paper.setdefault(authorship.paper_id, []).append(authorship)
    moved, deleted, curated_before, duplicates = [], [], [], []
    for paper_id, group in by_paper.items():
        group.sort(key=lambda a: a.position)
        keep = group[0]
        if keep.author_id != target.pk:
            moved.append([keep.pk, keep.author_id])
        if len(group) > 1:
            duplicates.append(paper_id)
            deleted.extend(_authorship_dict(a) for a in group[1:])
            # Curated, so a re-import of this paper does not bring the dropped authorship back.
            curated_before.append([keep.pk, keep.curated])
    if deleted:
        Authorship.objects.filter(pk__in=[d["id"] for d in deleted]).delete()
    if moved:
        Authorship.objects.filter(pk__in=[m[0] for m in moved]).update(author=target)
    if curated_before:
        Authorship.objects.filter(pk__in=[c[0] for c in curated_before]).update(curated=True)

    keys = [list(k) for k in AuthorKey.objects.filter(author_id__in=source_ids).values_list("pk", "author_id")]
    AuthorKey.objects.filter(author_id__in=source_ids).update(author=target)
    # Older tombstones point straight at the new survivor: every redirect stays one hop.
    repointed = [
        list(t) for t in Author.objects.filter(merged_into_id__in=source_ids).values_list("pk", "merged_into_id")
    ]
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
    _refresh(ids)

    names = ", ".join(f"#{pk} {rows[pk].full_name}" for pk in source_ids)
    summary = f"Merged {names} into #{target.pk} {target.full_name}"
    if duplicates:
        summary += f"; both were authors of {len(duplicates)} paper(s), one authorship kept"
    if redo_of is not None:
        summary = f"Redo of #{redo_of.pk}: {summary}"
    data = {
        "target": target.pk,
        "sources": source_ids,
        "moved": moved,
        "deleted": deleted,
        "curated_before": curated_before,
        "duplicates": duplicates,
        "keys": keys,
        "repointed": repointed,
        "target_before": before,
        "target_after": {"orcid": target.orcid, "name_variants": list(target.name_variants)},
        "orcid_conflicts": orcid_conflicts,
        "identity": {
            "target": identities[target.pk],
            "sources": [identities[pk] for pk in source_ids],
            "redo_of": redo_of.data.get("uid") if redo_of is not None else None,
        },
    }
    event = _event(
        action=CurationEvent.Action.MERGE, curator=curator, summary=summary, target=target, data=data, author_ids=ids
    )
    target.refresh_from_db()
    target.curation_event = event
    return target


@transaction.atomic
def author_split(
    *,
    author: Author,
    paper_ids: Iterable[int],
    curator,
    into: Author | None = None,
    redo_of: CurationEvent | None = None,
    revive: Author | None = None,
) -> Author:
    """Move these papers' authorships from `author` to `into` (or to a new row of the same name and
    cluster), marked curated so re-imports keep the choice. Returns the receiving row, with
    `.curation_event` set to the split event.

    `revive` (used by redo) is the tombstone an undone split left; it comes back as the new row.
    """
    paper_ids = sorted({int(pk) for pk in paper_ids})
    if not paper_ids:
        raise ValidationError("Tick at least one paper to move.")
    if into is not None and into.pk == author.pk:
        raise ValidationError("Papers cannot be moved to the row they are on.")
    other = into or revive
    rows = _lock_authors([author.pk] + ([other.pk] if other is not None else []))
    author = rows.get(author.pk)
    if author is None or author.merged_into_id:
        raise ValidationError("This row was merged into another row; split the surviving row instead.")
    if into is not None:
        into = rows.get(into.pk)
        if into is None or into.merged_into_id:
            raise ValidationError("The chosen row was merged into another row; choose the surviving row.")
    authorships = list(
        Authorship.objects.select_for_update().filter(author=author, paper_id__in=paper_ids).order_by("pk")
    )
    found = {a.paper_id for a in authorships}
    if len(found) != len(paper_ids):
        raise ValidationError(f"Paper(s) {', '.join(str(p) for p in paper_ids if p not in found)} are not on this row.")
    if into is not None:
        clash = list(Authorship.objects.filter(author=into, paper_id__in=paper_ids).values_list("paper_id", flat=True))
        if clash:
            raise ValidationError(
                f"{into.full_name} (#{into.pk}) is already an author of {_papers_text(clash)}; "
                "merge the rows instead, or leave those papers out."
            )

    identities = _rows_identity([author.pk] + ([into.pk] if into is not None else []))
    papers = _papers_identity(paper_ids)

    created = into is None
    if revive is not None:
        into = rows[revive.pk]
        into.merged_into = None
        into.save(update_fields=["merged_into", "updated_at"])
    elif into is None:
        # The new row is another person of the name: it gets the name's next number for good, as
        # dblp numbers its homonyms (an undo keeps it on the tombstone, a redo revives it).
        into = Author.objects.create(
            name=author.name, homonym_number=next_homonym_number(author.name), cluster=author.cluster
        )
    Authorship.objects.filter(pk__in=[a.pk for a in authorships]).update(author=into, curated=True)
    _refresh([author.pk, into.pk])

    summary = (
        f"Split {len(paper_ids)} paper(s) from #{author.pk} {author.full_name} "
        f"to {'new row ' if created else ''}#{into.pk} {into.full_name}"
    )
    if redo_of is not None:
        summary = f"Redo of #{redo_of.pk}: {summary}"
    data = {
        "author": author.pk,
        "into": into.pk,
        "created": created,
        "paper_ids": paper_ids,
        "authorships": [[a.pk, a.curated] for a in authorships],
        "identity": {
            "author": identities[author.pk],
            # None: the papers went to a new row (or, in a redo, back to the row the split made).
            "into": identities[into.pk] if not created else None,
            "papers": [papers[pk] for pk in paper_ids],
            "redo_of": redo_of.data.get("uid") if redo_of is not None else None,
        },
    }
    event = _event(
        action=CurationEvent.Action.SPLIT,
        curator=curator,
        summary=summary,
        target=author,
        data=data,
        author_ids=[author.pk, into.pk],
    )
    into.refresh_from_db()
    into.curation_event = event
    return into


def author_paper_groups(*, author: Author) -> list[list[Paper]]:
    """The row's papers as connected groups of the co-author graph (the row itself left out).

    Two papers are in one group when a chain of shared co-author rows links them, so a row that
    mixes two people usually shows as two groups. Each paper gets `.coauthor_names` (in order).
    Biggest groups first; papers without co-authors come last, one group each. Three queries.
    """
    papers = {
        p.pk: p
        for p in Paper.objects.filter(authorships__author=author)
        .select_related("venue")
        .distinct()
        .order_by(models.F("year").desc(nulls_last=True), "-pk")
    }
    parent = {pk: pk for pk in papers}

    def find(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    first_paper_of: dict[int, int] = {}
    for paper in papers.values():
        paper.coauthor_names = []
    rows = (
        Authorship.objects.filter(paper__authorships__author=author)
        .exclude(author=author)
        .order_by("paper_id", "position")
        .values_list("paper_id", "author_id", "printed_name")
    )
    for paper_id, coauthor_id, printed_name in rows:
        papers[paper_id].coauthor_names.append(printed_name)
        if coauthor_id in first_paper_of:
            parent[find(paper_id)] = find(first_paper_of[coauthor_id])
        else:
            first_paper_of[coauthor_id] = paper_id
    groups: dict[int, list[Paper]] = {}
    for pk, paper in papers.items():
        groups.setdefault(find(pk), []).append(paper)
    # dicts keep insertion order: within a group, newest paper first, as queried.
    return sorted(groups.values(), key=lambda g: (-len(g), not g[0].coauthor_names))


# -- undo ------------------------------------------------------------------------------------------


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
    ids = [m[0] for m in data["moved"]] + [c[0] for c in data["curated_before"]]
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
    keys = dict(AuthorKey.objects.filter(pk__in=[k[0] for k in data["keys"]]).values_list("pk", "author_id"))
    if any(keys.get(k[0]) != target.pk for k in data["keys"]):
        problems.append("some source keys moved or were removed since")
    tombs = dict(Author.objects.filter(pk__in=[t[0] for t in data["repointed"]]).values_list("pk", "merged_into_id"))
    if any(tombs.get(t[0]) != target.pk for t in data["repointed"]):
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
    ids = [a[0] for a in data["authorships"]]
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
        _lock_authors([data["target"], *data["sources"], *(t[0] for t in data["repointed"])])
    elif event.action == CurationEvent.Action.SPLIT:
        _lock_authors([data["author"], data["into"]])
    problems = curation_undo_problems(event=event)
    if problems:
        raise ValidationError([f"Event #{event.pk} cannot be undone: {p}." for p in problems])

    if event.action == CurationEvent.Action.UNDO:
        return _redo(event, curator)
    author_ids = _merge_revert(data) if event.action == CurationEvent.Action.MERGE else _split_revert(data)
    _refresh(author_ids)
    new = _event(
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
    for authorship_id, author_id in data["moved"]:
        by_author.setdefault(author_id, []).append(authorship_id)
    for author_id, authorship_ids in by_author.items():
        Authorship.objects.filter(pk__in=authorship_ids).update(author_id=author_id)
    for authorship_id, curated in data["curated_before"]:
        Authorship.objects.filter(pk=authorship_id).update(curated=curated)
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
    for key_id, author_id in data["keys"]:
        AuthorKey.objects.filter(pk=key_id).update(author_id=author_id)
    Author.objects.filter(pk__in=data["sources"]).update(merged_into=None, updated_at=timezone.now())
    for tombstone_id, merged_into_id in data["repointed"]:
        Author.objects.filter(pk=tombstone_id).update(merged_into_id=merged_into_id)
    before = data["target_before"]
    Author.objects.filter(pk=target).update(
        orcid=before["orcid"], name_variants=before["name_variants"], updated_at=timezone.now()
    )
    return [target, *data["sources"]]


def _split_revert(data: dict) -> list[int]:
    for curated in (True, False):
        ids = [pk for pk, was_curated in data["authorships"] if was_curated is curated]
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


# -- edits ---------------------------------------------------------------------------------------------


@transaction.atomic
def paper_authorships_save(*, paper: Paper, saved: list[Authorship], deleted: list[Authorship]) -> dict:
    """Write a curator's edit of a paper's author list (the admin inline): removed, changed and added
    authorships, reorders included. Every written authorship becomes curated. Returns what changed."""
    existing_ids = [a.pk for a in saved if a.pk]
    before = {a.pk: a for a in Authorship.objects.filter(pk__in=existing_ids + [a.pk for a in deleted if a.pk])}
    removed = [_authorship_dict(before[a.pk]) for a in deleted if a.pk in before]
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
            added.append(_authorship_dict(authorship))
        else:
            changed.append({"id": authorship.pk, "changes": diff})
    author_ids = {r["author"] for r in removed} | {a["author"] for a in added}
    for change in changed:
        author_ids.update(change["changes"].get("author_id", []))
    _refresh(author_ids)
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
        "changes": {name: [_plain(a), _plain(b)] for name, (a, b) in changes.items()},
        "locked": obj.locked_fields,
        "unlocked": sorted(unlock),
        "identity": identity,
    }
    if authors_changed:
        data["authorships"] = {k: authorships[k] for k in ("added", "changed", "removed")}
    return _event(
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
        "target": _object_identity(obj, before={name: before for name, (before, _) in changes.items()}),
        "fields": {
            name: [_stable_value(obj, name, before), _stable_value(obj, name, after)]
            for name, (before, after) in changes.items()
        },
        "authors": None,
    }
    if authors_changed:
        listed = list(obj.authorships.order_by("position").values_list("position", "author_id", "printed_name"))
        rows = _rows_identity(author_id for _, author_id, _ in listed)
        identity["authors"] = [[position, rows[author_id], printed] for position, author_id, printed in listed]
    return identity
