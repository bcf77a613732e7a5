"""Fetching the benchmark's pages once: each must answer 200 without a redirect and (ours) link a paper
and an author, or it is reported and not timed."""

import concurrent.futures
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect comes back as an HTTPError with its status and Location


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Fetched:
    path: str
    status: int
    size: int = 0
    location: str = ""
    # Whether the body links a paper and an author: a page of ours that answers 200 without them is
    # not the page meant (an empty result, or a template half-way through a change).
    shows_papers: bool = False

    @property
    def problem(self) -> str:
        if self.status != 200:
            return f"answered {self.status} {self.location}".rstrip()
        return "" if self.shows_papers else "answered 200 but links no paper and no author"


def fetch(base: str, path: str) -> Fetched:
    try:
        with _opener.open(base + path, timeout=60) as response:  # noqa: S310 (http://127.0.0.1 only)
            body = response.read()
            links = re.search(rb"/papers/\d+/", body) and re.search(rb"/authors/\d+/", body)
            return Fetched(path, response.status, len(body), shows_papers=bool(links))
    except urllib.error.HTTPError as error:
        return Fetched(path, error.code, len(error.read()), error.headers.get("Location", ""))


def fetch_all(base: str, paths: list[str], parallel: int) -> list[Fetched]:
    with concurrent.futures.ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda path: fetch(base, path), paths))


def resolve_papers(base: str, paths: list[str], parallel: int) -> list[str]:
    """/papers/<id>/ redirects to /papers/<id>/<slug>/: measure the page a link leads to."""
    resolved = []
    for answer in fetch_all(base, paths, parallel):
        location = urllib.parse.urlsplit(answer.location)
        target = location.path + (f"?{location.query}" if location.query else "")
        resolved.append(target if answer.status in (301, 302) and target else answer.path)
    return resolved


def papers_on_page(base: str, path: str) -> int:
    """How many different papers a page of ours links (a list page links each of its papers)."""
    with _opener.open(base + path, timeout=60) as response:  # noqa: S310 (http://127.0.0.1 only)
        return len(set(re.findall(rb'href="/papers/(\d+)/', response.read())))


@dataclass
class Checked:
    sizes: dict[str, int]  # of the pages that passed, which alone are timed
    failed: list[Fetched]


def check(base: str, paths: list[str], parallel: int, *, ours: bool) -> Checked:
    """GET every page once (a warm-up too): it must answer 200 without a redirect, and our pages (all
    but the login page) must show papers."""
    answers = fetch_all(base, paths, parallel)
    failed = [a for a in answers if a.status != 200 or (ours and not a.shows_papers)]
    return Checked({a.path: a.size for a in answers if a not in failed}, failed)
