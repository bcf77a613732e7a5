"""Training the grouping's models on synthetic corpora (needs scikit-learn, for this only): the pair model,
the clustering threshold, and the attach model, written to authors/curation/person_model.json."""

import math
import sys
from collections import Counter

from suggestions_scoring import BCubed, generate, name_problems

from authors.curation.grouping import (
    ATTACH_FEATURES,
    FEATURES,
    Habits,
    Logistic,
    PersonModel,
    Profiler,
    attach_alone,
    attach_features,
    candidate_pairs,
    cluster_units,
    coauthor_components,
    pair_features,
    score_pairs,
)


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
