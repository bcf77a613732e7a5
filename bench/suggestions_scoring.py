"""The synthetic corpus as naming problems, and their B-cubed scores: for every name, its papers as
evidence and the person who truly wrote each (the corpus's dblp keys, 'Wei Wang 0002')."""

import json
import subprocess
import sys
from collections import Counter, defaultdict

from locations import ROOT

from authors.curation.grouping import PaperEvidence, group_papers
from authors.names import cluster_key

GENERATOR = ROOT.parent / "shared" / "tools" / "gen_corpus.py"
# Our own generator, whose people have venue, topic and era habits (bench/gen_habits.py).
HABITS_GENERATOR = ROOT / "bench" / "gen_habits.py"


def read_corpus(lines) -> list[dict]:
    return [json.loads(line) for line in lines if line.strip()]


def generate(papers: int, seed: int, *, habits: bool = False) -> list[dict]:
    """A corpus of the shared generator, or with `habits` of bench/gen_habits.py."""
    command = [str(HABITS_GENERATOR)] if habits else [str(GENERATOR), "--format", "jsonl"]
    out = subprocess.run(
        [sys.executable, *command, "--papers", str(papers), "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    return read_corpus(out.stdout.splitlines())


def name_problems(records: list[dict], *, mode: str, neighbours: bool):
    """Per name: (its papers as evidence, the co-authors' co-authors table or None, paper -> true person)."""

    def identity(author: dict) -> str:
        # keyed: the co-author's key (dblp number kept) or bare name; blind: the bare name only.
        return (author.get("key") or author["name"]) if mode == "keyed" else author["name"]

    by_name: dict[str, list[tuple[PaperEvidence, str | None]]] = defaultdict(list)
    known: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        ids = [identity(a) for a in record["authors"]]
        venue = (record.get("venue") or {}).get("name", "")
        for author, own in zip(record["authors"], ids, strict=True):
            name = cluster_key(author["name"])
            coauthors = frozenset(i for i in ids if i != own and cluster_key(i) != name)
            evidence = PaperEvidence(record["source_id"], coauthors, venue, record.get("year"), record.get("title", ""))
            by_name[name].append((evidence, author.get("key")))
        if neighbours:
            for own in ids:
                known[own].update(i for i in ids if i != own)

    for name, rows in by_name.items():
        homonymous = any(key for _, key in rows)
        # One person wrote a paper twice under one name only in broken data; keep the first.
        papers, truth, seen = [], {}, set()
        for evidence, key in rows:
            if evidence.paper_id in seen:
                continue
            seen.add(evidence.paper_id)
            papers.append(evidence)
            if key or not homonymous:
                truth[evidence.paper_id] = key or name
        table = None
        if neighbours:
            table = {
                c: {n: w for n, w in known[c].items() if cluster_key(n) != name} for p in papers for c in p.coauthors
            }
        yield papers, table, truth


class BCubed:
    """B-cubed precision and recall summed over scored items, averaged at the end."""

    def __init__(self):
        self.precision = self.recall = 0.0
        self.scored = self.names = 0

    def add(self, groups: list[list], truth: dict) -> None:
        """`groups` of item ids; `truth` maps the scored items to their person."""
        self.names += 1
        group_of = {item: n for n, group in enumerate(groups) for item in group}
        members = defaultdict(list)
        for item in truth:
            members[group_of[item]].append(item)
        class_size = Counter(truth.values())
        for item, person in truth.items():
            same_group = members[group_of[item]]
            correct = sum(1 for other in same_group if truth[other] == person)
            self.precision += correct / len(same_group)
            self.recall += correct / class_size[person]
            self.scored += 1

    def result(self) -> dict:
        p, r = self.precision / self.scored, self.recall / self.scored
        return {"names": self.names, "scored": self.scored, "precision": p, "recall": r, "f1": 2 * p * r / (p + r)}


def evaluate(records: list[dict], *, mode: str, neighbours: bool, grouper=group_papers, **options) -> dict:
    """Group every name's papers and return B-cubed precision, recall, F1 and counts."""
    score = BCubed()
    for papers, table, truth in name_problems(records, mode=mode, neighbours=neighbours):
        groups = grouper(papers, neighbours=table, **options)
        score.add(groups, truth)
    return score.result()
