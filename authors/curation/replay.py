"""Replay an export of curation events (authors.curation.export) onto a database rebuilt from the
same source files: every merge, split, edit and undo again, in order, through the real services.

Rows, papers and venues are found by the stable identities each event recorded (`data["identity"]`:
source keys, provenance pairs, short names), never by database id. A replayed event gets the
original's `uid`, plus `data["replayed"]` (original id, curator and time), so a second replay skips
it; an event whose result is already there (rows already merged, fields already set) is skipped too.
Each event is applied in its own transaction: one that fails is reported and the rest go on.
"""

import json
from collections.abc import Callable, Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import DatabaseError, models, transaction

from authors.curation.edit import curation_edit, paper_authorships_save
from authors.curation.merge import author_merge
from authors.curation.split import author_split
from authors.curation.undo import curation_undo
from authors.models import Author, AuthorKey, CurationEvent
from papers.models import Authorship, Paper, PaperSource, Venue

APPLIED, SKIPPED, FAILED = "applied", "skipped", "failed"


class ReplayProblem(Exception):
    """The event cannot be applied here; the message says why, for the report."""


class AlreadyApplied(Exception):
    """The database already shows the event's result; the message says how."""


@dataclass
class ReplayResult:
    line: int
    uid: str | None
    action: str
    summary: str
    status: str
    reason: str = ""
    event_id: int | None = None  # the event the replay wrote (or found, when skipped)
    exported_id: int | None = None  # the event's id in the database it was exported from

    def __str__(self) -> str:
        head = f"line {self.line} {self.action or '?'}"
        if self.exported_id is not None:
            head += f" (exported #{self.exported_id})"
        text = f"{head}: {self.status}"
        if self.event_id:
            text += f" as event #{self.event_id}"
        if self.reason:
            text += f" ({self.reason})"
        return f"{text}: {self.summary[:120]}" if self.summary else text


def curation_replay(
    *,
    lines: Iterable[str],
    curator,
    dry_run: bool = False,
    on_result: Callable[[ReplayResult], None] | None = None,
) -> list[ReplayResult]:
    """Apply the exported events in file order; returns one result per non-blank line.

    A dry run applies everything in one transaction and rolls it back, so later events see what the
    earlier ones would have done and the report is the one a real run would give.
    """
    results = []
    with transaction.atomic() if dry_run else nullcontext():
        replayer = _Replayer(curator=curator)
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            result = replayer.replay_line(number, line)
            results.append(result)
            if on_result is not None:
                on_result(result)
        if dry_run:
            transaction.set_rollback(True)
    return results


class _Replayer:
    def __init__(self, *, curator):
        self.curator = curator
        # uid -> event id of every event this database holds: one query, kept current as we go.
        self.uids = {uid: pk for uid, pk in CurationEvent.objects.values_list("data__uid", "pk").order_by("pk") if uid}

    def replay_line(self, number: int, line: str) -> ReplayResult:
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise ValueError("not an object")
        except ValueError as error:
            return ReplayResult(number, None, "", "", FAILED, f"not a JSON object: {error}")
        data = entry.get("data") if isinstance(entry.get("data"), dict) else {}
        uid = entry.get("uid") or data.get("uid")
        result = ReplayResult(number, uid, str(entry.get("action", "")), str(entry.get("summary", "")), FAILED)
        result.exported_id = entry.get("id") if isinstance(entry.get("id"), int) else None
        if uid and uid in self.uids:
            result.status, result.event_id, result.reason = SKIPPED, self.uids[uid], "already applied"
            return result
        identity = data.get("identity")
        if not uid or not isinstance(identity, dict):
            result.reason = "recorded before events kept stable identities; redo it by hand"
            return result
        handler = {
            CurationEvent.Action.MERGE: self.merge,
            CurationEvent.Action.SPLIT: self.split,
            CurationEvent.Action.EDIT: self.edit,
            CurationEvent.Action.UNDO: self.undo,
        }.get(result.action)
        if handler is None:
            result.reason = f"unknown action {result.action!r}"
            return result
        try:
            # A savepoint per event: a failure rolls back that event only.
            with transaction.atomic():
                event = handler(identity)
                self.mark(event, entry, uid)
        except AlreadyApplied as done:
            result.status, result.reason = SKIPPED, str(done)
        except ReplayProblem as problem:
            result.reason = str(problem)
        except ValidationError as error:
            result.reason = " ".join(error.messages)
        except DatabaseError as error:
            result.reason = f"the database refused it: {error}".strip()
        except (KeyError, TypeError, ValueError, LookupError, ObjectDoesNotExist) as error:
            # A damaged or hand-edited line: report it and go on with the next event.
            result.reason = f"malformed event data ({type(error).__name__}: {error})"
        else:
            result.status, result.event_id = APPLIED, event.pk
        return result

    def mark(self, event: CurationEvent, entry: dict, uid: str) -> None:
        """The replayed event takes the original's uid, so later events (and a second replay) find it."""
        replayed = {"event": entry.get("id"), "curator": entry.get("curator"), "created_at": entry.get("created_at")}
        event.data = {**event.data, "uid": uid, "replayed": replayed}
        event.save(update_fields=["data"])
        self.uids[uid] = event.pk

    # -- finding rows, papers and venues -------------------------------------------------------------

    def row(self, identity: dict) -> Author:
        """The live row an identity names now: through its source keys, or the split that made it."""
        label = f"row #{identity.get('id')} {identity.get('name', '')}".strip()
        if identity.get("keys"):
            # One query for all the keys ((source, key) is unique, so each names one row at most).
            pairs = models.Q()
            for source, key in identity["keys"]:
                pairs |= models.Q(source=source, key=key)
            found = set(AuthorKey.objects.filter(pairs).values_list("author_id", flat=True))
            if not found:
                keys = ", ".join(f"{s}:{k}" for s, k in identity["keys"])
                raise ReplayProblem(f"{label}: no row holds its source keys ({keys}); was that file imported?")
            rows = {row.pk: row for row in (self.live(author, label) for author in Author.objects.filter(pk__in=found))}
            if len(rows) > 1:
                raise ReplayProblem(
                    f"{label}: its source keys are on rows {', '.join(f'#{pk}' for pk in sorted(rows))} now "
                    "(an earlier merge was not replayed?)"
                )
            return rows.popitem()[1]
        made_by = identity.get("created_by")
        if made_by:
            split = CurationEvent.objects.filter(pk=self.uids.get(made_by)).first()
            if split is None:
                raise ReplayProblem(f"{label} was made by split {made_by}, which is not in this database")
            return self.live(Author.objects.get(pk=split.data["into"]), label)
        raise ReplayProblem(f"{label} has no source keys and no split made it: nothing names it outside one database")

    @staticmethod
    def live(author: Author, label: str) -> Author:
        row = Author.objects.follow_merges(author)
        if row is None:
            raise ReplayProblem(f"{label}: its redirects lead nowhere")
        return row

    @staticmethod
    def paper(identity: dict) -> Paper:
        label = f"paper “{identity.get('title', '')[:60]}”"
        found = set()
        for source, source_id in identity.get("sources") or []:
            found.update(
                PaperSource.objects.filter(source=source, source_id=source_id).values_list("paper_id", flat=True)
            )
        if len(found) > 1:
            raise ReplayProblem(f"{label}: its source records belong to {len(found)} papers now")
        if not found and identity.get("doi"):
            found.update(Paper.objects.filter(doi=identity["doi"]).values_list("pk", flat=True)[:2])
            if len(found) > 1:
                raise ReplayProblem(f"{label}: its DOI {identity['doi']} is on several papers")
        if not found:
            pairs = ", ".join(f"{s}:{i}" for s, i in identity.get("sources") or []) or "none recorded"
            raise ReplayProblem(f"{label} is not in this database (source records: {pairs})")
        return Paper.objects.get(pk=found.pop())

    @staticmethod
    def venue(identity: dict) -> Venue:
        venue = Venue.objects.filter(short_name=identity.get("short_name")).first()
        if venue is None:
            raise ReplayProblem(f"venue {identity.get('short_name')!r} is not in this database")
        return venue

    def target(self, model: type[models.Model], identity: dict) -> models.Model:
        if model is Author:
            return self.row(identity)
        if model is Paper:
            return self.paper(identity)
        if model is Venue:
            return self.venue(identity)
        raise ReplayProblem(f"edits of {model._meta.label_lower} cannot be replayed")

    # -- the actions ---------------------------------------------------------------------------------

    def merge(self, identity: dict) -> CurationEvent:
        if identity.get("redo_of"):
            return self.redo(identity["redo_of"])
        target = self.row(identity["target"])
        sources = {row.pk: row for row in (self.row(s) for s in identity["sources"]) if row.pk != target.pk}
        if not sources:
            raise AlreadyApplied(f"every row already resolves to #{target.pk} {target.full_name}")
        return author_merge(target=target, sources=list(sources.values()), curator=self.curator).curation_event

    def split(self, identity: dict) -> CurationEvent:
        if identity.get("redo_of"):
            return self.redo(identity["redo_of"])
        author = self.row(identity["author"])
        into = self.row(identity["into"]) if identity.get("into") else None
        papers = [self.paper(p) for p in identity["papers"]]
        if into is not None and not Authorship.objects.filter(author=author, paper__in=papers).exists():
            on_into = Authorship.objects.filter(author=into, paper__in=papers).values("paper").distinct().count()
            if on_into == len({p.pk for p in papers}):
                raise AlreadyApplied(f"the papers are already on #{into.pk} {into.full_name}")
        return author_split(
            author=author, paper_ids=[p.pk for p in papers], into=into, curator=self.curator
        ).curation_event

    def undo(self, identity: dict) -> CurationEvent:
        original = self.replayed(identity["undoes"])
        if original.undone_by_id:
            raise AlreadyApplied(f"event #{original.pk} is already undone by #{original.undone_by_id}")
        return curation_undo(event=original, curator=self.curator)

    def redo(self, original_uid: str) -> CurationEvent:
        """A merge or split that redid an undone one: undo the replayed undo, as the curator did."""
        original = self.replayed(original_uid)
        undo = original.undone_by
        if undo is None:
            raise ReplayProblem(f"it redoes event #{original.pk}, which is not undone in this database")
        if undo.undone_by_id:
            raise AlreadyApplied(f"the undo #{undo.pk} is already redone by #{undo.undone_by_id}")
        return curation_undo(event=undo, curator=self.curator)

    def replayed(self, uid: str | None) -> CurationEvent:
        event = CurationEvent.objects.select_related("undone_by").filter(pk=self.uids.get(uid)).first()
        if uid is None or event is None:
            raise ReplayProblem(f"the event it refers to ({uid or 'unrecorded'}) is not in this database")
        return event

    def edit(self, identity: dict) -> CurationEvent:
        model = apps.get_model(identity["model"])
        obj = self.target(model, identity["target"])
        fields = {name: values for name, values in identity["fields"].items() if name != "cluster"}
        changes = {}
        for name, (_, after) in fields.items():
            value = self.field_value(model, name, after)
            current = getattr(obj, name)
            if current != value:
                changes[name] = (current, value)
        unlock = [name for name in identity.get("unlocked", []) if name in obj.locked_fields]
        authorships = self.author_list(obj, identity["authors"]) if identity.get("authors") is not None else None
        locks_missing = set(fields) - set(obj.locked_fields)
        if not changes and not unlock and not locks_missing and not authorships:
            raise AlreadyApplied("the fields already hold the edited values")
        for name, (_, value) in changes.items():
            setattr(obj, name, value)
        if changes:
            # Validated like the admin form validates it: the edited fields only.
            obj.full_clean(exclude=[f.name for f in model._meta.fields if f.name not in changes])
            update = [f.attname for f in (model._meta.get_field(n) for n in changes)]
            if any(f.name == "updated_at" for f in model._meta.fields):
                update.append("updated_at")
            obj.save(update_fields=update)
        # Fields already right are locked too: the curator's choice must still beat later imports.
        recorded = {**{name: (getattr(obj, name),) * 2 for name in locks_missing}, **changes}
        event = curation_edit(obj=obj, changes=recorded, unlock=unlock, authorships=authorships, curator=self.curator)
        if event is None:
            raise AlreadyApplied("nothing left to change")
        return event

    def field_value(self, model: type[models.Model], name: str, value):
        field = model._meta.get_field(name)
        if field.is_relation and value is not None:
            return self.target(field.related_model, value)
        return value

    def author_list(self, paper: Paper, listed: list) -> dict | None:
        """Bring the paper's author list to the recorded one, position by position, through the
        admin's own save path. None when it already matches."""
        wanted = {position: (self.row(row), printed) for position, row, printed in listed}
        current = {a.position: a for a in paper.authorships.order_by("position")}
        now = {pos: (a.author_id, a.printed_name) for pos, a in current.items()}
        if now == {pos: (row.pk, printed) for pos, (row, printed) in wanted.items()}:
            return None
        saved = []
        for position, (row, printed) in wanted.items():
            authorship = current.get(position) or Authorship(paper=paper, position=position)
            authorship.author, authorship.printed_name = row, printed
            saved.append(authorship)
        deleted = [a for pos, a in current.items() if pos not in wanted]
        return paper_authorships_save(paper=paper, saved=saved, deleted=deleted)
