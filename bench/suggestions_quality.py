"""How well `authors.grouping.group_papers` recovers persons from one name's papers (B-cubed).

The synthetic corpus (`shared/tools/gen_corpus.py --format jsonl`) writes each homonym's dblp key
('Wei Wang 0002') beside the bare name: that is the truth. For every name we drop the numbers, group
the name's papers with `group_papers`, and score the groups against the truth with B-cubed precision,
recall and F1 (Bagga and Baldwin 1998), averaged over every (name, paper) with a known person.
Papers the corpus left unassigned (a homonym written under the bare name) are grouped but not scored.

Two settings of what co-authors are known as:
  keyed  co-authors keep their own identity (their key, as an imported author row does in the
         database): only the name being grouped is stripped. This is the split-suggestion case.
  blind  every name is stripped, co-authors too: the harder case of raw name strings.

Runs in memory, no database:

    .venv/bin/python bench/suggestions_quality.py --papers 20000 --seed 1
    .venv/bin/python bench/suggestions_quality.py --corpus corpus.jsonl
"""

import argparse
import json
import random
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from authors.grouping import PaperEvidence, coauthor_components, group_papers  # noqa: E402
from authors.names import cluster_key  # noqa: E402

GENERATOR = Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "gen_corpus.py"


def read_corpus(lines) -> list[dict]:
    return [json.loads(line) for line in lines if line.strip()]


def generate(papers: int, seed: int) -> list[dict]:
    out = subprocess.run(
        [sys.executable, str(GENERATOR), "--format", "jsonl", "--papers", str(papers), "--seed", str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    return read_corpus(out.stdout.splitlines())


def evaluate(records: list[dict], *, mode: str, neighbours: bool, grouper=group_papers) -> dict:
    """Group every name's papers and return B-cubed precision, recall, F1 and counts."""

    def identity(author: dict) -> str:
        # keyed: the co-author's key (dblp number kept) or bare name; blind: the bare name only.
        return (author.get("key") or author["name"]) if mode == "keyed" else author["name"]

    by_name: dict[str, list[tuple[str, frozenset, str, str | None]]] = defaultdict(list)
    known: dict[str, Counter] = defaultdict(Counter)
    for record in records:
        ids = [identity(a) for a in record["authors"]]
        venue = (record.get("venue") or {}).get("name", "")
        for author, own in zip(record["authors"], ids, strict=True):
            name = cluster_key(author["name"])
            coauthors = frozenset(i for i in ids if i != own and cluster_key(i) != name)
            by_name[name].append((record["source_id"], coauthors, venue, author.get("key")))
        if neighbours:
            for own in ids:
                known[own].update(i for i in ids if i != own)

    precision = recall = 0.0
    scored = names = 0
    for name, rows in by_name.items():
        homonymous = any(key for *_, key in rows)
        # One person wrote a paper twice under one name only in broken data; keep the first.
        papers, truth, seen = [], {}, set()
        for paper_id, coauthors, venue, key in rows:
            if paper_id in seen:
                continue
            seen.add(paper_id)
            papers.append(PaperEvidence(paper_id, coauthors, venue))
            if key or not homonymous:
                truth[paper_id] = key or name
        table = None
        if neighbours:
            table = {
                c: {n: w for n, w in known[c].items() if cluster_key(n) != name} for p in papers for c in p.coauthors
            }
        groups = grouper(papers, neighbours=table) if neighbours else grouper(papers)
        names += 1
        group_of = {paper_id: n for n, group in enumerate(groups) for paper_id in group}
        members = defaultdict(list)
        for paper_id, n in group_of.items():
            if paper_id in truth:
                members[n].append(paper_id)
        class_size = defaultdict(int)
        for person in truth.values():
            class_size[person] += 1
        for paper_id, person in truth.items():
            same_group = members[group_of[paper_id]]
            correct = sum(1 for other in same_group if truth[other] == person)
            precision += correct / len(same_group)
            recall += correct / class_size[person]
            scored += 1
    precision /= scored
    recall /= scored
    return {
        "names": names,
        "scored": scored,
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall),
    }


def ceiling(papers: int, seed: int) -> dict:
    """The best B-cubed any grouping can reach on this corpus, from the generator's hidden truth.

    The generator puts each person in a co-author group and adds, with probability 0.2 per slot, a
    person drawn uniformly from everyone. On such a paper nobody else is from the person's group: no
    evidence names which of the homonyms wrote it. Grouping the evidenced papers perfectly and
    joining the rest to each name's largest person is the ceiling (keeping them alone scores lower).
    """
    sys.path.insert(0, str(GENERATOR.parent))
    import gen_corpus  # noqa: PLC0415 (the shared tool, only needed here)

    rng = random.Random(seed)
    people = gen_corpus.make_people(rng, papers)
    # generate() draws the groups right after the people, from the same seeded stream.
    group_of = [rng.randrange(max(1, len(people) // 20)) for _ in people]
    index_of: dict[int, int] = {}
    items: dict[str, list[tuple[int, bool]]] = defaultdict(list)
    for record, generated_people in gen_corpus.generate(papers, seed):
        if not index_of:
            assert [p[0] for p in generated_people] == [p[0] for p in people], "the generator changed"
            index_of = {id(person): n for n, person in enumerate(generated_people)}
        # A person tuple reused as is is the person; a rebuilt one is an unassigned homonym (not scored).
        team = [index_of[id(a)] for a in record["authors"] if id(a) in index_of]
        for person in team:
            evidenced = any(group_of[other] == group_of[person] for other in team if other != person)
            items[people[person][0]].append((person, evidenced))
    precision = recall = 0.0
    total = 0
    for rows in items.values():
        size = Counter(person for person, _ in rows)
        evidenced = Counter(person for person, ok in rows if ok)
        largest = max(size, key=lambda person: (evidenced[person], size[person]))
        labels = [person if ok else largest for person, ok in rows]
        group_size = Counter(labels)
        together = Counter(zip(labels, (person for person, _ in rows), strict=True))
        for (person, _), label in zip(rows, labels, strict=True):
            precision += together[label, person] / group_size[label]
            recall += together[label, person] / size[person]
            total += 1
    precision /= total
    recall /= total
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="a JSON Lines corpus (default: generate one)")
    parser.add_argument("--papers", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    records = read_corpus(args.corpus.open(encoding="utf-8")) if args.corpus else generate(args.papers, args.seed)

    def components_only(papers, neighbours=None):
        return coauthor_components(papers)

    runs = [
        ("keyed", "co-author components only", components_only, False),
        ("keyed", "group_papers, co-authors only", group_papers, False),
        ("keyed", "group_papers + co-authors' co-authors", group_papers, True),
        ("blind", "group_papers, co-authors only", group_papers, False),
        ("blind", "group_papers + co-authors' co-authors", group_papers, True),
    ]
    print(f"{len(records)} papers")
    print("| co-authors | grouping | names | scored papers | precision | recall | F1 | seconds |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for mode, label, grouper, with_neighbours in runs:
        started = time.perf_counter()
        r = evaluate(records, mode=mode, neighbours=with_neighbours, grouper=grouper)
        seconds = time.perf_counter() - started
        print(
            f"| {mode} | {label} | {r['names']} | {r['scored']} | {r['precision']:.3f} | {r['recall']:.3f} "
            f"| {r['f1']:.3f} | {seconds:.1f} |"
        )
    if not args.corpus:
        r = ceiling(args.papers, args.seed)
        print(
            f"| (truth) | ceiling: evidenced papers perfect, the rest to the largest person | | "
            f"| {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | |"
        )


if __name__ == "__main__":
    main()
