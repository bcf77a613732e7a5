from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data" / "keivan-rezaei.jsonl"
SHARED = ROOT.parent / "shared"


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


def child_database_url() -> str:
    """A DATABASE_URL for a child process that opens the test database itself."""
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    # The test database is a file on SQLite (arrow_site/test_settings.py); never the developer's db.sqlite3.
    assert connection.vendor == "sqlite" and not connection.is_in_memory_db(), db["NAME"]
    return f"sqlite:///{db['NAME']}"


def reader_processes(*, parent: int | None = None, reading: Path | None = None) -> list[int]:
    """Live processes running the import's reader (papers.importing.readers.process): those whose parent
    is `parent`, or that read the file `reading`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            state, ppid = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:
            continue  # ended meanwhile
        if b"papers.importing.readers.process" not in command or state == "Z":
            continue
        if (parent is None or int(ppid) == parent) and (reading is None or str(reading).encode() in command):
            found.append(int(entry.name))
    return found


def run_manage_subprocess(*args: str):
    """Run `manage.py ARGS` in a child process against the test database, as a user would."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": child_database_url(), "DJANGO_SECRET_KEY": "x" * 50}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
