"""The real set (shared/data/real/dblp-homonyms, dblp's own person ids as truth), run as the product
does: imported into a scratch PostgreSQL database without its homonym numbers and pids, then grouped by
`authors.curation.suggestions.cluster_person_groups` per name cluster."""

import functools
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from locations import ROOT
from suggestions_scoring import BCubed

from authors.curation.grouping import group_papers
from authors.names import cluster_key

REAL_SET = ROOT.parent / "shared" / "data" / "real" / "dblp-homonyms"
REAL_DATABASE = "arrow_quality_real"
SERVER = "postgres://postgres@127.0.0.1:5432"


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
