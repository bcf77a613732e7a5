"""Resolving the authors of paper records to author rows: by (source, author key), creating the rows
that are missing, filling empty ORCIDs; person records through papers.importing.persons."""

from collections import defaultdict

from authors.models import Author, AuthorKey
from authors.names import cluster_key, split_homonym
from authors.upkeep import cluster_ids_resolve
from papers.bulk import any_of, insert_rows, update_rows
from papers.importing.persons import KnownKeys, author_person_aliases_add, author_persons_upsert
from papers.importing.readers.records import PaperRecord, PersonRecord

# At most this many (source, author key) pairs a first load keeps in memory with their rows
# (KnownKeys): about 140 bytes each, so 70 MB at most; the keys past it are looked up.
KNOWN_KEYS_MAX = 500_000


class Authors:
    """An import's author rows: the keys it knows (a first load's), the ORCIDs it has checked, the
    redirect person records it applies at the end."""

    def __init__(self, *, first_load=None):
        self.orcids_checked: set[int] = set()
        self.redirects: list[PersonRecord] = []
        # A first load keeps its author keys with their rows, as it wrote or looked them up: frequent
        # authors are in every batch. If no key existed when it began, a key it does not know is new.
        self.known_keys = (
            KnownKeys(complete=first_load.author_keys_empty, limit=KNOWN_KEYS_MAX) if first_load is not None else None
        )

    def resolve(self, records: list[PaperRecord]) -> tuple[dict[tuple[str, str], int], dict[int, int]]:
        """Map every (source, author key) in the batch to its author row, creating missing rows.

        Also returns each row's cluster id: matching by title needs the first author's cluster, and
        the key lookup can bring it along instead of costing a query of its own.
        """
        wanted = {}
        for record in records:
            for author in record.authors:
                wanted.setdefault((record.source, author.identity), author)
        known, to_look_up = self.known_keys.find(wanted) if self.known_keys is not None else ({}, list(wanted))
        by_source = defaultdict(list)
        for source, key in to_look_up:
            by_source[source].append(key)
        looked_up = {}
        for source, keys in by_source.items():
            rows = AuthorKey.objects.filter(any_of("key", keys), source=source).values_list(
                "key", "author_id", "author__cluster_id", "author__merged_into_id", "author__merged_into__cluster_id"
            )
            for key, author_id, cluster_id, merged_into_id, merged_cluster_id in rows:
                # Merges move keys to the survivor; following a tombstone is a safety net only.
                looked_up[(source, key)] = (merged_into_id or author_id, merged_cluster_id or cluster_id)
        missing = [pair for pair in wanted if pair not in known and pair not in looked_up]
        if missing:
            clusters = cluster_ids_resolve(names=[wanted[pair].name for pair in missing])
            rows = []
            for pair in missing:
                author = wanted[pair]
                name, number = split_homonym(author.name)
                rows.append((name, number, author.orcid, clusters[cluster_key(author.name)]))
            new_ids = insert_rows(Author, ["name", "homonym_number", "orcid", "cluster_id"], rows)
            insert_rows(
                AuthorKey,
                ["source", "key", "author_id"],
                [(source, key, pk) for (source, key), pk in zip(missing, new_ids, strict=True)],
                ids=False,
            )
            looked_up.update((pair, (pk, row[3])) for pair, pk, row in zip(missing, new_ids, rows, strict=True))
        found: dict[tuple[str, str], int] = {}
        cluster_of: dict[int, int] = {}
        for pair, (author_id, cluster_id) in (*known.items(), *looked_up.items()):
            found[pair] = author_id
            cluster_of[author_id] = cluster_id
        if self.known_keys is not None:
            self.known_keys.add(looked_up)
        self.fill_orcids(wanted, found, skip=set(missing))
        return found, cluster_of

    def fill_orcids(self, wanted: dict, found: dict, *, skip: set) -> None:
        """An ORCID in a record fills an existing row's empty ORCID (never replaces one)."""
        # A row this file already gave an ORCID to (or found one on, or found locked) is not asked
        # again: frequent authors appear in every batch, and the query cost more than the fill.
        self.orcids_checked.update(found[pair] for pair in skip if wanted[pair].orcid)
        orcids = {
            found[pair]: a.orcid
            for pair, a in wanted.items()
            if a.orcid and pair not in skip and found[pair] not in self.orcids_checked
        }
        if not orcids:
            return
        self.orcids_checked.update(orcids)
        rows = list(Author.objects.filter(any_of("pk", orcids), orcid="").only("orcid", "locked_fields"))
        rows = [row for row in rows if "orcid" not in row.locked_fields]
        update_rows(Author, ["orcid"], [(row.pk, orcids[row.pk]) for row in rows])

    def write_persons(self, records: list[PersonRecord]) -> set[int]:
        """Person records (dblp homepages): variants, ORCID, affiliation and alias keys of a row;
        returns the ids of the rows created or changed."""
        # Redirects may point at a person later in the file: applied once the file is read (add_aliases).
        self.redirects.extend(r for r in records if r.redirect)
        return author_persons_upsert(records=records, known=self.known_keys)

    def add_aliases(self) -> int:
        """The file's redirect records' alias keys; how many were added."""
        return author_person_aliases_add(records=self.redirects)
