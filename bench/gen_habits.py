"""A synthetic bibliography whose people have habits: the training corpus for the grouping's habit features.

`shared/tools/gen_corpus.py` draws every paper's venue, year and title at random, so nothing fitted on
it can learn what those signals weigh. Here, by general knowledge of bibliographies (not fitted to any
real set):

- fields have their own venues and topic words; labs (co-author groups) sit in one field, prefer a few
  of its venues and a narrower set of its words, and are active over an era;
- a person has a career (a start year and a length) and works in one lab, and may move to another lab
  (often in the same field, sometimes not) part way through it;
- a paper's lead writes it in a year of their career, with members of the lab they were in that year;
  a slot goes to someone outside the lab 20% of the time (half of them from the same field);
- names are drawn from the shared generator's pools (so homonyms are about as common), and some people
  take the name of someone already in their field (homonyms in one field, as common surnames cluster);
- 5% of a homonym's appearances are written under the bare name (not scored), as in the shared generator.

Writes the shared generator's JSON Lines records (dblp numbers in `key`), so the quality bench reads both.

    .venv/bin/python bench/gen_habits.py --papers 5000 --seed 1 > corpus.jsonl
"""

import argparse
import itertools
import json
import random
import sys
from collections import defaultdict

from locations import ROOT

sys.path.insert(0, str(ROOT.parent / "shared" / "tools"))
import gen_corpus  # noqa: E402 (the shared generator's name pools only)

FIELDS = 30
VENUES_PER_FIELD = 8
WORDS_PER_FIELD = 60
LAB_SIZE = 20
FIRST_YEAR, LAST_YEAR = 1970, 2026


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    """Pronounceable made-up words, unique."""
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def generate(papers: int, seed: int):
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 2500)
    general = vocabulary[:300]  # words any paper may use ("learning", "model")
    field_words = [rng.sample(vocabulary[300:], WORDS_PER_FIELD) for _ in range(FIELDS)]
    venue_names = [f"V{n:03d}" for n in range(FIELDS * VENUES_PER_FIELD // 2 * 3)]
    # Fields share some venues (broad conferences and journals).
    field_venues = [rng.sample(venue_names, VENUES_PER_FIELD) for _ in range(FIELDS)]

    n_people = max(50, papers // 2)
    n_labs = max(1, n_people // LAB_SIZE)
    labs = []
    for _ in range(n_labs):
        field = rng.randrange(FIELDS)
        start = rng.randint(FIRST_YEAR, LAST_YEAR - 5)
        labs.append(
            {
                "field": field,
                "venues": rng.sample(field_venues[field], 3),
                "words": rng.sample(field_words[field], 15),
                "start": start,
                "end": min(LAST_YEAR, start + rng.randint(8, 45)),
            }
        )
    labs_of_field = defaultdict(list)
    for index, lab in enumerate(labs):
        labs_of_field[lab["field"]].append(index)

    people = []  # per person: name, career (first, last), [(from year, lab)]
    taken: dict[str, int] = defaultdict(int)
    people_of_field = defaultdict(list)
    for n in range(n_people):
        lab = rng.randrange(n_labs)
        first = rng.randint(labs[lab]["start"], labs[lab]["end"])
        last = min(LAST_YEAR, first + int(rng.expovariate(1 / 12)) + 1)
        stints = [(first, lab)]
        if last - first > 4 and rng.random() < 0.5:
            field = labs[lab]["field"] if rng.random() < 0.7 else rng.randrange(FIELDS)
            stints.append((rng.randint(first + 2, last - 1), rng.choice(labs_of_field[field] or [lab])))
        field = labs[lab]["field"]
        if people_of_field[field] and rng.random() < 0.1:
            name = people[rng.choice(people_of_field[field])]["name"]
        elif rng.random() < 0.01:
            name = rng.choice(gen_corpus.ACCENTED)
        else:
            name = f"{rng.choice(gen_corpus.FIRST)} {rng.choice(gen_corpus.SURNAME)}"
        taken[name] += 1
        people.append({"name": name, "number": taken[name], "first": first, "last": last, "stints": stints})
        people_of_field[field].append(n)
    for person in people:
        person["key"] = f"{person['name']} {person['number']:04d}" if taken[person["name"]] > 1 else None

    def lab_in(person: dict, year: int) -> int:
        return [lab for since, lab in person["stints"] if since <= year][-1]

    members = defaultdict(list)
    for n, person in enumerate(people):
        for _, lab in person["stints"]:
            members[lab].append(n)
    cum_weights = list(itertools.accumulate(1.0 / (i + 1) ** 0.8 for i in range(n_people)))
    order = list(range(n_people))
    rng.shuffle(order)  # productivity independent of career and lab

    for n in range(papers):
        lead = order[rng.choices(range(n_people), cum_weights=cum_weights)[0]]
        year = rng.randint(people[lead]["first"], people[lead]["last"])
        lab = labs[lab_in(people[lead], year)]
        team = {lead}
        for _ in range(rng.randint(0, 7)):
            draw = rng.random()
            if draw < 0.8:
                candidates = [m for m in members[lab_in(people[lead], year)] if people[m]["first"] <= year + 2]
                team.add(rng.choice(candidates or [lead]))
            elif draw < 0.9:
                team.add(rng.choice(people_of_field[lab["field"]]))
            else:
                team.add(rng.randrange(n_people))
        draw = rng.random()
        if draw < 0.65:
            venue = rng.choice(lab["venues"])
        elif draw < 0.9:
            venue = rng.choice(field_venues[lab["field"]])
        else:
            venue = rng.choice(venue_names)
        words = []
        for _ in range(rng.randint(4, 12)):
            draw = rng.random()
            pool = lab["words"] if draw < 0.4 else field_words[lab["field"]] if draw < 0.65 else general
            words.append(rng.choice(pool))
        authors = []
        for member in rng.sample(sorted(team), len(team)):
            person = people[member]
            author = {"name": person["name"]}
            if person["key"] and rng.random() >= 0.05:
                author["key"] = person["key"]
            authors.append(author)
        yield {
            "source": "synthetic-habits",
            "source_id": f"H{n}",
            "type": "conference-paper",
            "title": " ".join(words).capitalize() + ".",
            "year": year,
            "venue": {"name": venue, "kind": "conference"},
            "authors": authors,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for record in generate(args.papers, args.seed):
        sys.stdout.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
