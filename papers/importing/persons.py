"""Person records (dblp `www` homepages) into author rows: names, variant keys, ORCID, affiliation.

Part of the import because only imports write person records. Curator decisions win: a locked
field is never overwritten, and an AuthorKey that exists is never re-pointed (a curator may have
moved it; see docs/import-format.md, "Person records").
"""

from collections import defaultdict
from dataclasses import dataclass

from authors.models import Author, AuthorKey
from authors.names import cluster_key, split_homonym
from authors.upkeep import cluster_ids_resolve
from papers.bulk import any_of, insert_rows, update_rows
from papers.importing.readers.records import PersonRecord


class KnownKeys:
    """An import's author keys with their rows, (source, key) -> (author id, cluster id): the keys it
    wrote or looked up, kept so that it does not look them up again (papers.importing.authors.Authors).

    `complete`: every author key in the database is here, so a key missing is a new one and nothing
    needs looking up. Past `limit` pairs it stops growing and is no longer complete. Only for an
    import that holds the tables (a first load): no merge may move a key to another row meanwhile.
    Each pair is a key string and one packed int in its source's dict, to keep it small.
    """

    def __init__(self, *, complete: bool, limit: int):
        self.by_source: dict[str, dict[str, int]] = {}
        self.size = 0
        self.complete = complete
        self.limit = limit

    def get(self, pair: tuple[str, str]) -> tuple[int, int] | None:
        source, key = pair
        keys = self.by_source.get(source)
        packed = keys.get(key) if keys is not None else None
        return None if packed is None else (packed >> _CLUSTER_BITS, packed & _CLUSTER_MASK)

    def find(self, pairs) -> tuple[dict[tuple[str, str], tuple[int, int]], list[tuple[str, str]]]:
        """The rows of those of `pairs` it has, and the others the database may have (none while
        complete): what is left to look up."""
        rows, to_look_up = {}, []
        for pair in pairs:
            if (row := self.get(pair)) is not None:
                rows[pair] = row
            elif not self.complete:
                to_look_up.append(pair)
        return rows, to_look_up

    def add(self, rows: dict[tuple[str, str], tuple[int, int]]) -> None:
        for (source, key), (author_id, cluster_id) in rows.items():
            keys = self.by_source.get(source)
            if keys is None:
                keys = self.by_source[source] = {}
            elif key in keys:
                continue
            if self.size >= self.limit or cluster_id > _CLUSTER_MASK:
                # Full (or an id too large to pack): from now on a key it lacks may exist.
                self.complete = False
                return
            keys[key] = author_id << _CLUSTER_BITS | cluster_id
            self.size += 1


# KnownKeys packs a row's cluster id into the low bits of one int with its author id.
_CLUSTER_BITS = 48
_CLUSTER_MASK = (1 << _CLUSTER_BITS) - 1


def _existing_keys(pairs: set[tuple[str, str]], known: KnownKeys | None = None) -> dict[tuple[str, str], int]:
    """(source, key) -> live author id for the keys that exist (a merge moves keys; tombstones are followed)."""
    found = {}
    if known is not None:
        rows, pairs = known.find(pairs)
        found = {pair: author_id for pair, (author_id, _) in rows.items()}
    by_source = defaultdict(list)
    for source, key in pairs:
        by_source[source].append(key)
    for source, keys in by_source.items():
        rows = AuthorKey.objects.filter(any_of("key", keys), source=source)
        for key, author_id, merged_into_id in rows.values_list("key", "author_id", "author__merged_into_id"):
            found[(source, key)] = merged_into_id or author_id
    return found


def author_persons_upsert(*, records: list[PersonRecord], known: KnownKeys | None = None) -> set[int]:
    """Create or fill the author row of each person record; return the ids of the rows it created or
    changed (new rows and keys change cluster counts; an unchanged person writes nothing).

    With `known`, the keys are looked up there first, and the records' keys are added to it.
    """
    records = [r for r in records if not r.redirect]
    if not records:
        return set()
    keys_of = {id(r): [r.key, *r.variants, *r.aliases] for r in records}
    found = _existing_keys({(r.source, key) for r in records for key in keys_of[id(r)]}, known)

    # A person's row is the one its primary key resolves to, else one of its other keys', else new.
    row_of: dict[int, int | None] = {}
    missing: dict[tuple[str, str], PersonRecord] = {}
    for r in records:
        row_of[id(r)] = next((found[(r.source, k)] for k in keys_of[id(r)] if (r.source, k) in found), None)
        if row_of[id(r)] is None:
            missing.setdefault((r.source, r.key), r)
    created = {}
    if missing:
        clusters = cluster_ids_resolve(names=[r.key for r in missing.values()])
        new_rows = []
        for r in missing.values():
            name, number = split_homonym(r.key)
            new_rows.append((name, number, clusters[cluster_key(r.key)]))
        new_ids = insert_rows(Author, ["name", "homonym_number", "cluster_id"], new_rows)
        created = dict(zip(missing, new_ids, strict=True))
        for r in records:
            row_of[id(r)] = row_of[id(r)] or created[(r.source, r.key)]

    # Every name and homepage key of the person resolves to its row, unless that key already exists.
    new_keys = {}
    for r in records:
        for key in keys_of[id(r)]:
            if (r.source, key) not in found and key:
                new_keys.setdefault((r.source, key[:500]), row_of[id(r)])
    insert_rows(AuthorKey, ["source", "key", "author_id"], [(s, k, a) for (s, k), a in new_keys.items()], ids=False)

    fields = ["orcid", "affiliation", "name_variants"]
    rows = Author.objects.filter(any_of("pk", set(row_of.values()))).values_list(
        "pk", "cluster_id", "name", "homonym_number", "locked_fields", *fields
    )
    authors, cluster_of = {}, {}
    for pk, cluster_id, name, number, locked, orcid, affiliation, variants in rows:
        authors[pk] = _Person(f"{name} {number}" if number else name, locked, orcid, affiliation, variants)
        cluster_of[pk] = cluster_id
    if known is not None:
        known.add({pair: (pk, cluster_of[pk]) for pair, pk in (*found.items(), *new_keys.items()) if pk in cluster_of})
    dirty = {}
    for r in records:
        author = authors[row_of[id(r)]]
        if _fill(author, r):
            dirty[row_of[id(r)]] = author
    update_rows(Author, fields, [(pk, *(getattr(a, f) for f in fields)) for pk, a in dirty.items()])
    return set(created.values()) | set(new_keys.values()) | set(dirty)


@dataclass
class _Person:
    """What _fill reads and sets of an author row: a first load reads one row per person record,
    and model instances would cost it far more."""

    full_name: str
    locked_fields: list
    orcid: str
    affiliation: str
    name_variants: list


def _fill(author: _Person, record: PersonRecord) -> bool:
    """Person records are the source's own profile: they set unlocked ORCID and affiliation."""
    changed = False
    for field in ("orcid", "affiliation"):
        value = getattr(record, field)
        if value and value != getattr(author, field) and field not in author.locked_fields:
            setattr(author, field, value)
            changed = True
    if "name_variants" not in author.locked_fields:
        variants = [v for v in [record.key, *record.variants] if v != author.full_name]
        merged = list(dict.fromkeys([*author.name_variants, *variants]))
        if merged != author.name_variants:
            author.name_variants = merged
            changed = True
    return changed


def author_person_aliases_add(*, records: list[PersonRecord]) -> int:
    """Redirect records (dblp crossref persons): their aliases become keys of the target's row.

    Applied after the whole file, since dblp may list the redirect before the person it points at.
    Returns how many keys were added; an unknown target or an existing key is left alone.
    """
    records = [r for r in records if r.redirect]
    wanted = {(r.source, r.key) for r in records} | {(r.source, a) for r in records for a in r.aliases}
    found = _existing_keys(wanted)
    new_keys = {}
    for r in records:
        target = found.get((r.source, r.key))
        if target is None:
            continue
        for alias in r.aliases:
            if (r.source, alias) not in found:
                new_keys.setdefault((r.source, alias[:500]), target)
    insert_rows(AuthorKey, ["source", "key", "author_id"], [(s, k, a) for (s, k), a in new_keys.items()], ids=False)
    return len(new_keys)
