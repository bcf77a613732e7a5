"""How well `authors.curation.grouping.group_papers` recovers persons from one name's papers (B-cubed).

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

The real set (shared/data/real/dblp-homonyms, dblp's own person ids as truth) runs as the product
does: its records, homonym numbers and pids stripped, imported into a scratch PostgreSQL database,
then `authors.curation.suggestions.cluster_person_groups` per name cluster. It is for measuring only: nothing
here is fitted or chosen on it.

    .venv/bin/python bench/suggestions_quality.py --real --seeds 201 202 --papers 5000

Rows marked "venue/year/title habits" add `authors.curation.grouping.Habits` (off in the product: see there).

Training the models (needs scikit-learn, for this only; synthetic corpora only): the pair model on
--train-seeds, the clustering threshold on --tune-seeds, the attach model on --train-seeds clustered
at that threshold; writes authors/curation/person_model.json. Test on other seeds.

    .venv/bin/python bench/suggestions_quality.py --train --papers 5000 \\
        --train-seeds 11 12 13:20000 --tune-seeds 21 22 23:10000
"""

import argparse
import functools
import json
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from locations import ROOT

sys.path.insert(0, str(ROOT))

from suggestions_real import evaluate_real, load_real_database  # noqa: E402
from suggestions_scoring import GENERATOR, evaluate, generate, read_corpus  # noqa: E402
from suggestions_training import train  # noqa: E402

from authors.curation.grouping import MODEL_PATH, coauthor_components, group_papers  # noqa: E402


def one_person(papers, neighbours=None):
    return [[p.paper_id for p in papers]]


def components_only(papers, neighbours=None):
    return coauthor_components(papers)


# --- report --------------------------------------------------------------------------------------


def row(label: str, r: dict, seconds: float | None = None) -> str:
    time_cell = f"{seconds:.1f}" if seconds is not None else ""
    return (
        f"| {label} | {r['names']} | {r['scored']} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
        f"| {time_cell} |"
    )


HEADER = "| corpus, co-authors, grouping | names | scored papers | precision | recall | F1 | seconds |\n" + (
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def synthetic_rows(records: list[dict], label: str, *, full: bool) -> list[str]:
    with_habits = functools.partial(group_papers, habits=True)
    runs = [("blind", "one name = one person", one_person, False)]
    if full:
        runs += [
            ("keyed", "co-author components only", components_only, False),
            ("keyed", "group_papers, co-authors only", group_papers, False),
            ("blind", "group_papers, co-authors only", group_papers, False),
        ]
    runs += [
        ("keyed", "group_papers + co-authors' co-authors", group_papers, True),
        ("blind", "group_papers + co-authors' co-authors", group_papers, True),
        ("blind", "group_papers + co-authors' co-authors + venue/year/title habits", with_habits, True),
    ]
    lines = []
    for mode, grouping, grouper, with_neighbours in runs:
        started = time.perf_counter()
        r = evaluate(records, mode=mode, neighbours=with_neighbours, grouper=grouper)
        lines.append(row(f"{label}, {mode}, {grouping}", r, time.perf_counter() - started))
    return lines


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


def corpus_spec(text: str, papers: int) -> tuple[int, int]:
    """'7' -> (7, papers); '7:20000' -> (7, 20000)."""
    seed, _, size = text.partition(":")
    return int(seed), int(size or papers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, help="a JSON Lines corpus (default: generate one)")
    parser.add_argument("--papers", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--seeds", nargs="+", help="several generated corpora, fewer rows each (hSEED: bench/gen_habits.py's)"
    )
    parser.add_argument("--real", action="store_true", help="also the real dblp set, through PostgreSQL")
    parser.add_argument("--out", type=Path, help="also write the table here")
    parser.add_argument("--train", action="store_true", help="fit the model, write authors/curation/person_model.json")
    parser.add_argument("--train-seeds", nargs="+", default=["11", "12", "13"], help="SEED or SEED:PAPERS")
    parser.add_argument("--tune-seeds", nargs="+", default=["21", "22"], help="SEED or SEED:PAPERS")
    parser.add_argument("--modes", nargs="+", default=["blind", "keyed"])
    args = parser.parse_args()
    if args.train:
        corpora = [[corpus_spec(text, args.papers) for text in texts] for texts in (args.train_seeds, args.tune_seeds)]
        model = train(*corpora, args.modes)
        MODEL_PATH.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {MODEL_PATH}: {model}")
        return

    lines = [HEADER]
    if args.real:
        url = load_real_database(ROOT / "bench" / "out")
        started = time.perf_counter()
        result, baseline = evaluate_real(url)
        seconds = time.perf_counter() - started
        with_habits, _ = evaluate_real(url, habits=True)
        lines += [row("real dblp homonyms, one name = one person", baseline)]
        lines += [row("real dblp homonyms, cluster_person_groups (PostgreSQL)", result, seconds)]
        lines += [row("real dblp homonyms, cluster_person_groups + venue/year/title habits", with_habits)]
    if args.corpus:
        lines += synthetic_rows(read_corpus(args.corpus.open(encoding="utf-8")), args.corpus.name, full=True)
    for spec in args.seeds or ([] if args.corpus else [str(args.seed)]):
        seed, habits = int(spec.removeprefix("h")), spec.startswith("h")
        label = f"{'habits generator' if habits else 'synthetic'} {args.papers} papers seed {seed}"
        lines += synthetic_rows(generate(args.papers, seed, habits=habits), label, full=not args.seeds)
        if habits:
            continue  # the ceiling reads the shared generator's hidden groups
        r = ceiling(args.papers, seed)
        lines.append(
            f"| {label}, ceiling: evidenced papers perfect, the rest to the largest person | | "
            f"| {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | |"
        )
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
