"""Production settings from the environment: check --deploy, HTTPS defaults, pool, replicas, Redis.

Settings are read once per process, so each case runs `python -c` in a child process with its own
environment and reads the settings it printed.
"""

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase

ROOT = Path(__file__).resolve().parent.parent
SCRATCH_SQLITE = Path(tempfile.gettempdir()) / "arrow-check.sqlite3"
PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({name: getattr(settings, name, None) for name in %r}, default=str))
"""


def production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_", "DATABASE_", "REDIS_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="arrow_site.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="arrow.example.org",
        # On SQLite a scratch file, not the project's db.sqlite3 (the checks only connect).
        DATABASE_URL=os.environ.get("DATABASE_URL") or f"sqlite:///{SCRATCH_SQLITE}",
    )
    env.update(extra)
    return env


def run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def settings_under(names: list[str], **env) -> dict:
    result = run_python(PRINT_SETTINGS % (names,), production_env(**env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


class DeployCheckTests(SimpleTestCase):
    def test_it_passes_check_deploy_with_production_settings(self):
        # Django 6.1's `check` connects to the databases, so this uses the suite's DATABASE_URL.
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=production_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues (0 silenced)", result.stdout)

    def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(self):
        result = run_python(PRINT_SETTINGS % (["DEBUG"],), production_env(DJANGO_SECRET_KEY=""))
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("DJANGO_SECRET_KEY is not set", result.stderr)


class HttpsSettingsTests(SimpleTestCase):
    names = [
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "AXES_IPWARE_META_PRECEDENCE_ORDER",
    ]

    def test_it_defaults_to_https_behind_the_proxy_in_production(self):
        values = settings_under(self.names)
        self.assertEqual(values["SECURE_PROXY_SSL_HEADER"], ["HTTP_X_FORWARDED_PROTO", "https"])
        self.assertTrue(values["SECURE_SSL_REDIRECT"])
        self.assertEqual(values["SECURE_HSTS_SECONDS"], 31536000)
        self.assertTrue(values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"])
        self.assertEqual(values["AXES_IPWARE_META_PRECEDENCE_ORDER"], ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"])

    def test_it_serves_plain_http_in_development(self):
        values = settings_under(self.names, DJANGO_DEBUG="1", DJANGO_SECRET_KEY="")
        self.assertIsNone(values["SECURE_PROXY_SSL_HEADER"])
        self.assertFalse(values["SECURE_SSL_REDIRECT"])
        self.assertEqual(values["SECURE_HSTS_SECONDS"], 0)
        self.assertFalse(values["SESSION_COOKIE_SECURE"])

    def test_each_https_setting_can_be_turned_off_on_its_own(self):
        values = settings_under(self.names, DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_HSTS_SECONDS="3600")
        self.assertFalse(values["SECURE_SSL_REDIRECT"])
        self.assertEqual(values["SECURE_HSTS_SECONDS"], 3600)
        self.assertTrue(values["SESSION_COOKIE_SECURE"])

    def test_it_refuses_a_bad_boolean(self):
        result = run_python(PRINT_SETTINGS % (["DEBUG"],), production_env(DJANGO_SECURE_SSL_REDIRECT="maybe"))
        self.assertIn("DJANGO_SECURE_SSL_REDIRECT must be true or false", result.stderr)


class DatabaseSettingsTests(SimpleTestCase):
    url = "postgres://arrow@db.internal:5432/arrow"

    def test_it_turns_on_the_psycopg_pool_with_conn_max_age_zero(self):
        databases = settings_under(["DATABASES"], DATABASE_URL=self.url, DB_POOL="1", DB_POOL_MAX_SIZE="8")["DATABASES"]
        self.assertEqual(databases["default"]["CONN_MAX_AGE"], 0)
        self.assertEqual(databases["default"]["OPTIONS"]["pool"], {"min_size": 1, "max_size": 8, "timeout": 10})

    def test_it_refuses_the_pool_with_persistent_connections(self):
        env = production_env(DATABASE_URL=self.url, DB_POOL="1", DB_CONN_MAX_AGE="60")
        result = run_python(PRINT_SETTINGS % (["DATABASES"],), env)
        self.assertIn("DB_POOL=1 needs DB_CONN_MAX_AGE=0", result.stderr)

    def test_it_adds_one_database_per_replica_url(self):
        values = settings_under(
            ["DATABASES", "DATABASE_REPLICAS", "DATABASE_ROUTERS"],
            DATABASE_URL=self.url,
            DATABASE_REPLICA_URLS="postgres://arrow@replica-a/arrow, postgres://arrow@replica-b/arrow",
            DB_POOL="1",
        )
        self.assertEqual(values["DATABASE_REPLICAS"], ["replica1", "replica2"])
        self.assertEqual(values["DATABASES"]["replica2"]["HOST"], "replica-b")
        # The test runner must not try to create a test database on a replica: it mirrors the primary.
        self.assertEqual(values["DATABASES"]["replica1"]["TEST"]["MIRROR"], "default")
        self.assertIn("pool", values["DATABASES"]["replica1"]["OPTIONS"])
        self.assertEqual(values["DATABASE_ROUTERS"], ["arrow_site.db_router.PrimaryReplicaRouter"])

    def test_it_shares_a_redis_cache_and_caches_pages_only_with_it(self):
        values = settings_under(["CACHES", "PAGE_CACHE_SECONDS"], REDIS_URL="redis://127.0.0.1:6379/3")
        self.assertEqual(values["CACHES"]["default"]["BACKEND"], "django.core.cache.backends.redis.RedisCache")
        self.assertEqual(values["PAGE_CACHE_SECONDS"], 300)
        self.assertEqual(settings_under(["PAGE_CACHE_SECONDS"])["PAGE_CACHE_SECONDS"], 0)
        result = run_python(PRINT_SETTINGS % (["CACHES"],), production_env(DJANGO_PAGE_CACHE_SECONDS="60"))
        self.assertIn("needs REDIS_URL", result.stderr)


class AxesOrderTests(SimpleTestCase):
    def test_axes_backend_is_first_and_its_middleware_last(self):
        self.assertEqual(settings.AUTHENTICATION_BACKENDS[0], "axes.backends.AxesStandaloneBackend")
        self.assertEqual(settings.MIDDLEWARE[-1], "axes.middleware.AxesMiddleware")
        # WhiteNoise right after SecurityMiddleware, so static files skip the rest (its docs).
        self.assertEqual(settings.MIDDLEWARE[1], "whitenoise.middleware.WhiteNoiseMiddleware")


class GunicornConfigTests(SimpleTestCase):
    def test_it_takes_the_worker_count_from_web_concurrency(self):
        code = "import runpy; c = runpy.run_path('gunicorn.conf.py'); print(c['workers'], c['accesslog'])"
        result = run_python(code, {**production_env(), "WEB_CONCURRENCY": "3"})
        self.assertEqual(result.stdout.split(), ["3", "-"], result.stderr)

    def test_gunicorn_accepts_the_config(self):
        result = subprocess.run(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--check-config",
                "-c",
                "gunicorn.conf.py",
                "arrow_site.wsgi",
            ],
            cwd=ROOT,
            env=production_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


class StartupErrorTests(SimpleTestCase):
    """A settings error met at start-up is one line on stderr naming the setting, and a failed exit."""

    def run_entry_point(self, args: list[str], **env) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=ROOT, env=production_env(**env), capture_output=True, text=True, timeout=60)

    def assert_one_line_naming(self, result: subprocess.CompletedProcess, setting: str):
        self.assertNotEqual(result.returncode, 0)
        self.assertNotIn("Traceback", result.stdout + result.stderr)
        lines = result.stderr.splitlines()
        self.assertEqual(len(lines), 1, result.stderr)
        self.assertIn(setting, lines[0])

    def test_manage_py_says_the_secret_key_is_missing_in_one_line(self):
        result = self.run_entry_point([sys.executable, "manage.py", "check"], DJANGO_SECRET_KEY="")
        self.assert_one_line_naming(result, "DJANGO_SECRET_KEY")
        self.assertIn("DJANGO_DEBUG=1", result.stderr)

    def test_gunicorn_says_the_secret_key_is_missing_in_one_line(self):
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        args = [gunicorn, "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "--workers", "2", "arrow_site.wsgi"]
        result = self.run_entry_point(args, DJANGO_SECRET_KEY="")
        self.assert_one_line_naming(result, "DJANGO_SECRET_KEY")
        self.assertEqual(result.stdout, "")  # The master stops before it logs anything or starts a worker.

    def test_manage_py_names_a_bad_database_url_in_one_line(self):
        result = self.run_entry_point([sys.executable, "manage.py", "check"], DATABASE_URL="postgress://arrow@db/arrow")
        self.assert_one_line_naming(result, "DATABASE_URL")
