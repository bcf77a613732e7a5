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
import math
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from authors.curation.grouping import (  # noqa: E402
    ATTACH_FEATURES,
    FEATURES,
    MODEL_PATH,
    Habits,
    Logistic,
    PaperEvidence,
    PersonModel,
    Profiler,
    attach_alone,
    attach_features,
    candidate_pairs,
    cluster_units,
    coauthor_components,
    group_papers,
    pair_features,
    score_pairs,
)
from authors.names import cluster_key  # noqa: E402

GENERATOR = ROOT.parent / "shared" / "tools" / "gen_corpus.py"
REAL_SET = ROOT.parent / "shared" / "data" / "real" / "dblp-homonyms"
REAL_DATABASE = "arrow_quality_real"
SERVER = "postgres://postgres@127.0.0.1:5432"
SUFFIX_RE = re.compile(r" \d{4}$")


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


def one_person(papers, neighbours=None):
    return [[p.paper_id for p in papers]]


def components_only(papers, neighbours=None):
    return coauthor_components(papers)


# --- the real set, through the database as the product runs --------------------------------------


def real_truth() -> dict[str, dict[tuple[str, int], str]]:
    """Homonym names' scored items: cluster key -> (dblp key, author position) -> pid.

    A homonym name has two or more pids. Items of dblp's disambiguation profiles
    (`ambiguous_profile`) are not one person and are left out, as the set's SOURCES.md says.
    """
    items = [json.loads(line) for line in (REAL_SET / "truth.jsonl").open(encoding="utf-8")]
    pids = defaultdict(set)
    for item in items:
        pids[cluster_key(item["name"])].add(item["pid"])
    truth: dict[str, dict] = defaultdict(dict)
    for item in items:
        name = cluster_key(item["name"])
        if len(pids[name]) > 1 and not item["ambiguous_profile"]:
            truth[name][item["key"], item["position"]] = item["pid"]
    return truth


def load_real_database(out_dir: Path) -> str:
    """A fresh scratch database holding the real records with homonym numbers and pids stripped."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stripped = out_dir / "real-dblp-homonyms-stripped.xml"
    text = (REAL_SET / "records.xml").read_text(encoding="utf-8")
    text = re.sub(r'<author pid="[^"]*">([^<]*?)(?: \d{4})?</author>', r"<author>\1</author>", text)
    stripped.write_text(text, encoding="utf-8")
    url = f"{SERVER}/{REAL_DATABASE}"
    for sql in (f"DROP DATABASE IF EXISTS {REAL_DATABASE}", f"CREATE DATABASE {REAL_DATABASE}"):
        subprocess.run(["psql", f"{SERVER}/postgres", "-q", "-c", sql], check=True)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0", "--no-input"], check=True, env=env)
    subprocess.run([*manage, "import_papers", "-v0", str(stripped)], check=True, env=env)
    return url


def evaluate_real(url: str, *, habits: bool = False) -> tuple[dict, dict]:
    """B-cubed of `cluster_person_groups` and of one person per name over the real set's homonym names.

    Without `habits`, `group_papers` runs without the venue, year and title evidence.
    """
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrow_site.settings")
    import django  # noqa: PLC0415 (only the real set needs Django)

    django.setup()
    from authors.curation import suggestions  # noqa: PLC0415
    from authors.models import NameCluster  # noqa: PLC0415
    from papers.models import Authorship  # noqa: PLC0415

    suggestions.group_papers = functools.partial(group_papers, habits=habits)

    truth = real_truth()
    clusters = NameCluster.objects.filter(key__in=list(truth))
    # An item is (dblp key, 0-based position; the database counts from 1); its paper's group is its group.
    item_paper = {
        (key, position - 1): paper_id
        for key, position, paper_id in Authorship.objects.filter(author__cluster__in=clusters).values_list(
            "paper__dblp_key", "position", "paper_id"
        )
    }
    model, baseline = BCubed(), BCubed()
    for cluster in clusters:
        items = {item: pid for item, pid in truth[cluster.key].items() if item in item_paper}
        groups = suggestions.cluster_person_groups(cluster=cluster)
        group_of = {paper_id: n for n, group in enumerate(groups) for paper_id in group}
        by_group = defaultdict(list)
        for item in items:
            by_group[group_of[item_paper[item]]].append(item)
        model.add(list(by_group.values()), items)
        baseline.add([list(items)], items)
    return model.result(), baseline.result()


# --- training ------------------------------------------------------------------------------------


def majority(paper_ids: list, truth: dict):
    known = Counter(truth[p] for p in paper_ids if p in truth)
    return known.most_common(1)[0][0] if known else None


def pair_rows(problems) -> tuple[list[list[float]], list[int], list[float]]:
    """Features, same-person labels and weights of every scored component pair with known persons.

    A pair's weight grows with the paper pairs it decides, slowly: big components are few but count.
    """
    x, y, w = [], [], []
    for _, _, units, _, truth, _ in problems:
        person = [majority(unit.paper_ids, truth) for unit in units]
        for i, j in sorted(candidate_pairs(units)):
            if person[i] is not None and person[j] is not None:
                x.append(pair_features(units[i], units[j]))
                y.append(int(person[i] == person[j]))
                w.append(1.0 + math.log(len(units[i].paper_ids) * len(units[j].paper_ids)))
    return x, y, w


def attach_rows(problems, model: PersonModel) -> tuple[list[list[float]], list[int]]:
    """For each paper left alone by the clustering: its candidate groups' features and which is its person's."""
    x, y = [], []
    for papers, profiler, units, scores, truth, _ in problems:
        groups = cluster_units(papers, units, scores, model.threshold)
        if len(groups) < 2:
            continue
        kept = [groups[0]] + [g for g in groups[1:] if len(g) > 1]
        profiles = [profiler.profile(g) for g in kept]
        person = [majority(g, truth) for g in kept]
        for group in groups[1:]:
            if len(group) > 1 or group[0] not in truth:
                continue
            alone = profiler.profile(group)
            for index, profile in enumerate(profiles):
                x.append(attach_features(alone, profile, index == 0))
                y.append(int(person[index] == truth[group[0]]))
    return x, y


def prepare(records: list[dict], modes: list[str], *, habits: bool = False) -> list[tuple]:
    """Every name's problem with its profiles (and habits) but no pair scores yet, for fitting and tuning."""
    problems = []
    for mode in modes:
        for papers, table, truth in name_problems(records, mode=mode, neighbours=True):
            profiler = Profiler(papers, table)
            components = coauthor_components(papers)
            units = [profiler.profile(c) for c in components]
            found = Habits(papers) if habits else None
            problems.append((papers, profiler, units, None, truth, found))
    return problems


def scored(problems, model: PersonModel) -> list[tuple]:
    return [
        (papers, profiler, units, score_pairs(units, habits, model), truth, habits)
        for papers, profiler, units, _, truth, habits in problems
    ]


def f1_of(problems, model: PersonModel) -> float:
    score = BCubed()
    for papers, profiler, units, scores, truth, habits in problems:
        groups = cluster_units(papers, units, scores, model.threshold)
        score.add(attach_alone(groups, profiler, habits, model), truth)
    return score.result()["f1"]


def fit(x, y, w=None) -> tuple[list[float], float]:
    try:
        from sklearn.linear_model import LogisticRegression  # noqa: PLC0415 (training only)
    except ImportError:
        sys.exit("Training needs scikit-learn: .venv/bin/pip install -r requirements-bench.txt")

    found = LogisticRegression(C=1.0, max_iter=5000).fit(x, y, sample_weight=w)
    return [round(float(c), 4) for c in found.coef_[0]], round(float(found.intercept_[0]), 4)


def train(train_corpora: list[tuple[int, int]], tune_corpora: list[tuple[int, int]], modes: list[str]) -> dict:
    """Fit the pair model on `train_corpora` ((seed, papers) each); choose the threshold on `tune_corpora`
    (papers left alone to the largest group); fit the attach model on `train_corpora` clustered at it."""
    training = [p for seed, papers in train_corpora for p in prepare(generate(papers, seed), modes)]
    x, y, w = pair_rows(training)
    coefficients, intercept = fit(x, y, w)
    pair = Logistic(FEATURES, tuple(coefficients), intercept)
    print(f"pair model: {len(y)} pairs, {sum(y)} same: {dict(zip(FEATURES, coefficients, strict=True))} {intercept}")
    to_largest = Logistic(ATTACH_FEATURES, tuple(0.0 for _ in FEATURES) + (1.0,), 0.0)
    provisional = PersonModel(pair, 0.5, to_largest)
    tuning = scored([p for seed, papers in tune_corpora for p in prepare(generate(papers, seed), modes)], provisional)
    # Below 0.5 average linkage would join clusters it finds more likely two persons than one.
    sweep = {t / 100: f1_of(tuning, PersonModel(pair, t / 100, to_largest)) for t in range(50, 96, 5)}
    print("threshold: F1 " + ", ".join(f"{t:.2f}: {f:.4f}" for t, f in sweep.items()))
    threshold = max(sweep, key=sweep.get)
    x, y = attach_rows(scored(training, provisional), PersonModel(pair, threshold, to_largest))
    attach = to_largest
    if 0 < sum(y) < len(y):
        coefficients, intercept = fit(x, y)
        attach = Logistic(ATTACH_FEATURES, tuple(coefficients), intercept)
    model = PersonModel(pair, threshold, attach)
    print(f"attach model: {len(y)} rows: {dict(zip(ATTACH_FEATURES, attach.coefficients, strict=True))}")
    print(f"tuning F1: {f1_of(tuning, model):.4f} (papers left alone to the largest group: {sweep[threshold]:.4f})")
    return {
        "pair": {"features": list(FEATURES), "coefficients": list(pair.coefficients), "intercept": pair.intercept},
        "threshold": threshold,
        "attach": {
            "features": list(ATTACH_FEATURES),
            "coefficients": list(attach.coefficients),
            "intercept": attach.intercept,
        },
        "trained_on": {
            "generator": "shared/tools/gen_corpus.py --format jsonl",
            "train_corpora (seed, papers)": train_corpora,
            "tune_corpora (seed, papers)": tune_corpora,
            "co-authors": modes,
        },
    }


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
    parser.add_argument("--seeds", type=int, nargs="+", help="several generated corpora, fewer rows each")
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
    for seed in args.seeds or ([] if args.corpus else [args.seed]):
        label = f"synthetic {args.papers} papers seed {seed}"
        lines += synthetic_rows(generate(args.papers, seed), label, full=not args.seeds)
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
