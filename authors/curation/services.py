"""The services' old import path, kept only for callers outside the curation helper's files that still
import from here (tests/test_api.py, test_api_schema.py, test_pages_views.py, test_replica_lag.py,
test_reports.py, test_search_sqlite.py, bench/load.py). Delete it once they import from authors.curation."""

from authors.curation import author_merge, author_split, paper_authorships_save

__all__ = ["author_merge", "author_split", "paper_authorships_save"]
