"""replay_curation: real merges, splits, edits and undos on the imported sample, exported, the
database wiped and re-imported, then replayed: the same rows, authorships, redirects and fields."""

import json
import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase

from authors.curation.edit import curation_edit, paper_authorships_save
from authors.curation.merge import author_merge
from authors.curation.replay import curation_replay
from authors.curation.split import author_split
from authors.curation.undo import curation_undo
from authors.models import Author, AuthorKey, CurationEvent
from papers.models import Authorship, Paper, PaperSource, Venue
from tests.conftest import SAMPLE
from tests.pages_data import import_sample

SEED = "arrow-seed"


def row(key: str) -> Author:
    """The live row a sample author key resolves to ('keivan-rezaei-a', or a name as written)."""
    key = f"{SEED}:{key}" if key.startswith("keivan") else key
    return AuthorKey.objects.select_related("author").get(source=SEED, key=key).author


def paper(source_id: str) -> Paper:
    return PaperSource.objects.select_related("paper").get(source=SEED, source_id=source_id).paper


def wipe() -> None:
    """flush, inside the test's transaction: PostgreSQL refuses TRUNCATE while deferred foreign-key
    checks are pending, so run them first. Sequences go on, so the rebuilt rows get new ids."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, reset_sequences=False, verbosity=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def state() -> dict:
    """Everything curation touches, named without database ids: rows by their keys (a row a split
    made, having none, by its papers), papers by their source records, venues by short name."""
    papers = {p.pk: tuple(sorted(p.sources.values_list("source", "source_id"))) for p in Paper.objects.all()}
    on_row: dict[int, list] = {}
    for a in Authorship.objects.all():
        on_row.setdefault(a.author_id, []).append(papers[a.paper_id])
    names = {}
    for author in Author.objects.all():
        keys = tuple(sorted(author.keys.values_list("source", "key")))
        names[author.pk] = keys or ("papers", tuple(sorted(on_row.get(author.pk, []))), author.name)
    live = {
        names[a.pk]: (a.full_name, a.orcid, a.affiliation, a.name_variants, a.locked_fields, a.cluster.key)
        for a in Author.objects.active().select_related("cluster")
    }
    tombstones = sorted(
        (a.full_name, names[a.merged_into_id]) for a in Author.objects.filter(merged_into__isnull=False)
    )
    return {
        "rows": live,
        "tombstones": tombstones,
        "papers": {
            papers[p.pk]: (
                p.title,
                p.title_key,
                p.year,
                p.venue.short_name if p.venue else None,
                p.locked_fields,
                [
                    (a.position, names[a.author_id], a.printed_name, a.curated)
                    for a in p.authorships.order_by("position")
                ],
            )
            for p in Paper.objects.select_related("venue")
        },
        "venues": {v.short_name: (v.kind, v.full_name, v.locked_fields) for v in Venue.objects.all()},
    }


class ReplayTests(TestCase):
    def setUp(self):
        self.curator = get_user_model().objects.create_user("cura")
        import_sample()

    def curate(self) -> None:
        """A curator's afternoon, every kind of event, through the services the admin calls."""
        a, b = row("keivan-rezaei-a"), row("keivan-rezaei-b")
        author_merge(target=a, sources=[b], curator=self.curator)
        # Two papers to a new row (no source keys: later events name it by this split's uid) ...
        new = author_split(author=a, paper_ids=[paper("seed-8").pk, paper("seed-9").pk], curator=self.curator)
        # ... one more to that row, chosen; then the new row is renamed.
        author_split(author=a, paper_ids=[paper("seed-5").pk], into=new, curator=self.curator)
        new.affiliation, old_name, new.name = "University of Maryland", new.name, "K. Rezaei"
        new.save()
        curation_edit(
            obj=new, changes={"affiliation": ("", new.affiliation), "name": (old_name, new.name)}, curator=self.curator
        )
        # Two spellings of one person, merged; a merge undone; a merge undone and redone.
        author_merge(target=row("MohammadTaghi Hajiaghayi"), sources=[row("Mohammad Hajiaghayi")], curator=self.curator)
        undone = author_merge(target=row("Suho Shin"), sources=[row("Mehrdad Saberi")], curator=self.curator)
        curation_undo(event=undone.curation_event, curator=self.curator)
        redone = author_merge(target=row("Zihao Lin"), sources=[row("Sayan Nag")], curator=self.curator)
        undo = curation_undo(event=redone.curation_event, curator=self.curator)
        curation_undo(event=undo, curator=self.curator)
        # A split undone: its row stays as a tombstone of the row it came from.
        feizi = row("Soheil Feizi")
        split = author_split(author=feizi, paper_ids=[paper("seed-1").pk], curator=self.curator)
        curation_undo(event=split.curation_event, curator=self.curator)
        # Metadata: a paper's title and venue (the admin form gives the old venue as an id), a venue.
        p = paper("seed-2")
        iclr = Venue.objects.get(short_name="ICLR")
        changes = {"title": (p.title, "RESTOR (corrected)"), "venue": (p.venue_id, iclr)}
        p.title, p.title_key, p.venue = "RESTOR (corrected)", "restor corrected", iclr
        p.save()
        curation_edit(obj=p, changes=changes, curator=self.curator)
        icml = Venue.objects.get(short_name="ICML")
        icml.full_name = "International Conference on Machine Learning"
        icml.save()
        curation_edit(obj=icml, changes={"full_name": ("", icml.full_name)}, curator=self.curator)
        # An author list: the last author removed, the second's printed name corrected.
        p = paper("seed-4")
        listed = list(p.authorships.order_by("position"))
        listed[1].printed_name = "K. Rezaei"
        info = paper_authorships_save(paper=p, saved=listed[:-1], deleted=listed[-1:])
        curation_edit(obj=p, changes={}, authorships=info, curator=self.curator)

    def export(self) -> str:
        out = StringIO()
        call_command("export_curation", "-", stdout=out)
        return out.getvalue()

    def rebuild(self, sample: Path = SAMPLE) -> None:
        wipe()
        call_command("import_papers", str(sample), stdout=StringIO(), stderr=StringIO())
        self.curator = get_user_model().objects.create_user("replayer")

    def replay(self, text: str, *args) -> tuple[str, str]:
        path = Path(tempfile.mkdtemp()) / "curation.jsonl"
        path.write_text(text, encoding="utf-8")
        out, err = StringIO(), StringIO()
        call_command("replay_curation", str(path), "--curator", self.curator.username, *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_a_replay_onto_a_rebuilt_database_gives_the_same_state(self):
        self.curate()
        before, events = state(), CurationEvent.objects.count()
        old_ids = set(Author.objects.values_list("pk", flat=True))
        exported = self.export()

        self.rebuild()
        self.assertFalse(old_ids & set(Author.objects.values_list("pk", flat=True)))  # new ids throughout
        self.assertNotEqual(state(), before)
        out, err = self.replay(exported)

        self.assertEqual(err, "")
        self.assertEqual(out.count(": applied"), events, out)
        self.assertEqual(state(), before)
        self.assertEqual(CurationEvent.objects.count(), events)
        # The undo log is whole again: what was undone is marked so, and can be undone once more.
        self.assertEqual(CurationEvent.objects.filter(undone_by__isnull=False).count(), 4)
        last_merge = CurationEvent.objects.filter(action="merge", undone_by__isnull=True).order_by("pk").last()
        self.assertIn("Redo of", last_merge.summary)
        self.assertEqual(last_merge.data["replayed"]["curator"], "cura")
        curation_undo(event=last_merge, curator=self.curator)

    def test_replaying_twice_changes_nothing(self):
        self.curate()
        exported = self.export()
        self.rebuild()
        self.replay(exported)
        after, events = state(), CurationEvent.objects.count()

        out, _ = self.replay(exported)

        self.assertNotIn(": applied", out)
        self.assertEqual(out.count("skipped as event #"), events)
        self.assertEqual((state(), CurationEvent.objects.count()), (after, events))

    def test_an_export_of_a_replayed_database_replays_too(self):
        self.curate()
        before, first = state(), self.export()
        self.rebuild()
        self.replay(first)
        second = self.export()

        self.rebuild()
        out, err = self.replay(second)

        self.assertEqual((err, out.count(": applied")), ("", 15))
        self.assertEqual(state(), before)

    def test_an_event_already_done_by_hand_is_skipped(self):
        author_merge(target=row("keivan-rezaei-a"), sources=[row("keivan-rezaei-b")], curator=self.curator)
        exported = self.export()
        self.rebuild()
        author_merge(target=row("keivan-rezaei-a"), sources=[row("keivan-rezaei-b")], curator=self.curator)

        out, _ = self.replay(exported)

        self.assertIn("skipped (every row already resolves to #", out)
        self.assertEqual(CurationEvent.objects.count(), 1)

    def test_an_event_whose_target_is_missing_is_reported_and_the_rest_applied(self):
        self.curate()
        before = state()
        exported = self.export()
        # Rebuilt without the seed-4 record: the edit of its author list has nothing to apply to.
        partial = Path(tempfile.mkdtemp()) / "partial.jsonl"
        lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
        partial.write_text("".join(line for line in lines if '"seed-4"' not in line), encoding="utf-8")
        self.rebuild(partial)

        with self.assertRaisesMessage(CommandError, "1 failed"):
            self.replay(exported)

        failed = [r for r in curation_replay(lines=exported.splitlines(), curator=self.curator) if r.status == "failed"]
        self.assertEqual(len(failed), 1)
        self.assertIn("is not in this database (source records: arrow-seed:seed-4)", failed[0].reason)
        self.assertNotIn("Traceback", failed[0].reason)
        after = state()
        self.assertEqual(after["venues"], before["venues"])
        self.assertEqual(after["tombstones"], before["tombstones"])

    def test_a_dry_run_reports_and_writes_nothing(self):
        self.curate()
        exported = self.export()
        self.rebuild()
        rebuilt = state()

        out, _ = self.replay(exported, "--dry-run")

        self.assertIn("Dry run, nothing written", out)
        self.assertIn("15 applied, 0 skipped, 0 failed", out)
        self.assertEqual(state(), rebuilt)
        self.assertEqual(CurationEvent.objects.count(), 0)

    def test_bad_lines_and_old_events_are_reported_not_raised(self):
        lines = ["not json", json.dumps({"id": 1, "action": "edit", "summary": "Edited a venue", "data": {}})]
        results = curation_replay(lines=lines, curator=self.curator)
        self.assertEqual([r.status for r in results], ["failed", "failed"])
        self.assertIn("not a JSON object", results[0].reason)
        self.assertIn("recorded before events kept stable identities", results[1].reason)

    def test_the_curator_must_exist(self):
        with self.assertRaisesMessage(CommandError, "create_curator"):
            call_command("replay_curation", "-", "--curator", "nobody", stdout=StringIO())
