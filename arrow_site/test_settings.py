"""Settings for the test suite: the real settings, plus what only tests need."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789abcdef")

from arrow_site.settings import *  # noqa: E402,F403
from arrow_site.settings import DATABASES, STORAGES  # noqa: E402

# No collectstatic before tests.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False  # The test client speaks plain http.
# Client.login() authenticates without a request, which axes refuses.
AXES_ENABLED = False
PAGE_CACHE_SECONDS = 0  # Tests must see the database as it is.
# WhiteNoise would warn about a missing folder.
STATIC_ROOT = None
# SQLite: a file, not in memory, so a child process (tests/conftest.py) opens the same database; one
# per run, so concurrent runs never share one.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    test_name = Path(tempfile.gettempdir()) / f"arrow-test-{os.getpid()}.sqlite3"
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(test_name)
