"""Permanent homonym numbers: the next free four-digit number for a bare name.

dblp disambiguates people of one name as 'Wei Wang 0001', 'Wei Wang 0002', ... and never reuses a
number: links and citations point at them. Arrow follows the same rule for the numbers it gives out
itself (a split's new row): a number seen on any row of the name, tombstones included, or in any
source key written with the name, is taken for good, and a new number is one above the highest.
"""

from django.db import connection
from django.db.models import Q

from authors.models import Author, AuthorKey, NameCluster
from authors.names import cluster_key, split_homonym

MAX_NUMBER = 9999


def used_homonym_numbers(name: str) -> set[int]:
    """Every number ever used with this bare name (case-insensitive), on rows or source keys."""
    bare, _ = split_homonym(name)
    key = cluster_key(bare)
    # Rows of the cluster, tombstones included, plus rows whose name matches but sit elsewhere
    # (a curator's rename can move a row's cluster; its old number must still count).
    numbers = set(
        Author.objects.filter(Q(cluster__key=key) | Q(name__iexact=bare))
        .exclude(homonym_number="")
        .order_by()
        .values_list("homonym_number", flat=True)
    )
    # A key 'Jun Wang 0006' records dblp's number even after its row was merged into another name.
    for source_key in AuthorKey.objects.filter(key__istartswith=f"{bare} ").values_list("key", flat=True):
        key_name, number = split_homonym(source_key)
        if number and cluster_key(key_name) == key:
            numbers.add(number)
    return {int(n) for n in numbers if n.isdigit()}


def next_homonym_number(name: str) -> str:
    """The next free number for this bare name: one above the highest ever used, '0001' for a new name.

    Gaps are never filled: a gap may be a number a row once had. Inside a transaction the name's
    cluster row is locked first (PostgreSQL), so two concurrent splits cannot take the same number.
    """
    if connection.in_atomic_block:
        list(NameCluster.objects.select_for_update().filter(key=cluster_key(name)).values_list("pk", flat=True))
    number = max(used_homonym_numbers(name), default=0) + 1
    if number > MAX_NUMBER:
        raise ValueError(f"No homonym number left for {name!r}.")
    return f"{number:04d}"
