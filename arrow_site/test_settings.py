"""Settings for the test suite: the real settings, plus what only tests need.

The database still comes from DATABASE_URL (PostgreSQL in CI, SQLite when unset).
"""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789abcdef")

from arrow_site.settings import *  # noqa: E402,F403
from arrow_site.settings import DATABASES, STORAGES  # noqa: E402

# Tests render pages without running collectstatic first; production keeps the hashed manifest storage.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# A fast hasher: the default's many iterations only slow down tests that log users in.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client speaks plain http; tests/test_security_headers.py turns the redirect back on.
SECURE_SSL_REDIRECT = False
# Client.login() calls authenticate() without a request, which axes refuses; the lockout tests
# (tests/test_security_admin.py) turn it back on.
AXES_ENABLED = False
# No server-side page cache: tests must see the database as it is (tests/test_deploy_cache.py turns
# it on with a local cache).
PAGE_CACHE_SECONDS = 0
# No collected static files in tests (WhiteNoise would warn about the missing folder);
# tests/test_deploy_static.py collects into a temporary one.
STATIC_ROOT = None
# SQLite: a file rather than Django's in-memory test database, so that a child process
# (tests/conftest.py run_manage_subprocess) opens the same database. In the temporary folder, one per
# test run (several runs at once never share one); Django removes it when the run ends.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    test_name = Path(tempfile.gettempdir()) / f"arrow-test-{os.getpid()}.sqlite3"
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(test_name)
