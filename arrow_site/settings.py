"""Arrow's settings: what differs between machines comes from the environment, read here only (README.md)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.getenv(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


# Fail closed: DEBUG is off unless asked for, and with DEBUG off there is no default secret key.
DEBUG = envbool("DJANGO_DEBUG", "False")
SECRET_KEY = os.getenv("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Origins (with scheme) allowed to POST, e.g. https://arrow.example.org; needed behind the TLS proxy.
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS")
# Our own page for a refused form: Django's has an inline style our CSP blocks, and mentions DEBUG.
CSRF_FAILURE_VIEW = "arrow_site.csrf.csrf_failure"

# HTTPS: on without DEBUG, behind a TLS proxy that always overwrites X-Forwarded-Proto (Django trusts
# it whenever set, CVE-2019-12781); off with DEBUG, where `make run` serves plain http.
BEHIND_PROXY = envbool("DJANGO_BEHIND_PROXY", str(not DEBUG))
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", str(not DEBUG))
# The load balancer probes /healthz over plain http from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("DJANGO_SECURE_HSTS_PRELOAD", str(not DEBUG))
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("DJANGO_SECURE_COOKIES", str(not DEBUG))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Curators are staff: a working day, not Django's two weeks.
SESSION_COOKIE_AGE = envint("DJANGO_SESSION_COOKIE_AGE", str(12 * 3600))
# Only our own files, no inline script or style (the admin's templates have none since Django 4.x).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "authors",
    "papers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before anything reads the URL into a query (PostgreSQL text cannot hold NUL).
    "arrow_site.middleware.RejectNulMiddleware",
    "arrow_site.middleware.RejectRepeatedApiParametersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication: both need request.user (primary pinning, anonymous-only caching).
    "arrow_site.middleware.PrimaryDatabaseMiddleware",
    "arrow_site.middleware.PublicCacheMiddleware",
    # django-axes wants to be last, so it sees the login view's result.
    "axes.middleware.AxesMiddleware",
]

# django-axes: its backend first, so a locked-out client is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins are kept in the database, shared by every worker and host (docs/deployment.md).
AXES_FAILURE_LIMIT = envint("DJANGO_AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("DJANGO_AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# No start-up banner: it would land in the stdout of every management command.
AXES_VERBOSE = False
# The client's address is the right-most X-Forwarded-For entry, the one our proxy appended; the
# entries before it are client-supplied.
if BEHIND_PROXY:
    AXES_IPWARE_PROXY_ORDER = "right-most"
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

ROOT_URLCONF = "arrow_site.urls"

TEMPLATES = [
    # The public pages; first, so 404.html and 500.html come from it. Django's engine serves the admin.
    {
        "BACKEND": "arrow_site.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "arrow_site.jinja2.environment",
            "context_processors": ["django.contrib.messages.context_processors.messages"],
            "trim_blocks": True,
            "lstrip_blocks": True,
        },
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "arrow_site.wsgi.application"

# DATABASE_URL unset: a SQLite file in the project. Production and CI use postgres://… (psycopg 3).
DATABASE_URL = os.getenv("DATABASE_URL", "")
DB_POOL = envbool("DB_POOL", "False")
DB_CONN_MAX_AGE = envint("DB_CONN_MAX_AGE", "0")
if DB_POOL and DB_CONN_MAX_AGE:
    raise ImproperlyConfigured("DB_POOL=1 needs DB_CONN_MAX_AGE=0: the pool keeps connections itself.")


def database_from_url(name: str, url: str) -> dict:
    # Health checks: after a PostgreSQL restart a request gets a fresh connection, not an error.
    try:
        config = dj_database_url.parse(url, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True)
    except ValueError as exc:  # The message names the problem, never the URL (it may hold a password).
        raise ImproperlyConfigured(f"{name} is not a database URL: {exc}") from None
    if config["ENGINE"] == "django.db.backends.postgresql":
        # No JIT: on big tables cost estimates cross jit_above_cost, and compiling outlasts our short queries.
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off"
    if DB_POOL and config["ENGINE"] == "django.db.backends.postgresql":
        # One pool per process: workers x DB_POOL_MAX_SIZE x hosts must stay below max_connections.
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": envint("DB_POOL_MIN_SIZE", "1"),
            "max_size": envint("DB_POOL_MAX_SIZE", "4"),
            "timeout": envint("DB_POOL_TIMEOUT", "10"),
        }
    return config


if DATABASE_URL:
    DATABASES = {"default": database_from_url("DATABASE_URL", DATABASE_URL)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            # A busy web request waits for an import's write lock instead of failing at once.
            "OPTIONS": {"timeout": 20},
        }
    }

# Read replicas (arrow_site/db_router.py). In tests each mirrors the primary.
DATABASE_REPLICAS = []
for number, url in enumerate(envlist("DATABASE_REPLICA_URLS"), 1):
    replica = {**database_from_url("DATABASE_REPLICA_URLS", url), "TEST": {"MIRROR": "default"}}
    # A dead replica must cost a request seconds, not the pool's 10 s; the router then skips it a while.
    replica["OPTIONS"] = {**replica.get("OPTIONS", {}), "connect_timeout": 2}
    if "pool" in replica["OPTIONS"]:
        # The pool waits its whole timeout even for a server that refuses at once.
        replica["OPTIONS"]["pool"] = {**replica["OPTIONS"]["pool"], "timeout": 0.5}
    DATABASES[f"replica{number}"] = replica
    DATABASE_REPLICAS.append(f"replica{number}")
DATABASE_ROUTERS = ["arrow_site.db_router.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.getenv("REDIS_URL", "")
if REDIS_URL:
    # A Redis that does not answer costs a request a fraction of a second, then is skipped (arrow_site/cache.py).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Anonymous GETs of public pages: browsers and proxies may keep them this long (seconds; 0 = never).
PUBLIC_CACHE_SECONDS = envint("DJANGO_PUBLIC_CACHE_SECONDS", "300")
# Server-side copies of those pages, only with a shared cache: a per-process one would miss other
# workers' curations (arrow_site/cache.py).
PAGE_CACHE_SECONDS = envint("DJANGO_PAGE_CACHE_SECONDS", "300" if REDIS_URL else "0")
if PAGE_CACHE_SECONDS and not REDIS_URL:
    raise ImproperlyConfigured("DJANGO_PAGE_CACHE_SECONDS needs REDIS_URL (a cache shared by all workers).")

# The read-only API: JSON only (the browsable renderer's inline script breaks our CSP), nothing posted,
# no authentication, so every visitor gets the same, publicly cacheable answer.
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "arrow_site.api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "arrow_site.api.responses.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Arrow API",
    "DESCRIPTION": "Read-only public data: papers, author rows, name clusters and search. See docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "arrow_site.api.schema.document_empty_filters",
    ],
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names that whitenoise may cache for a year (needs `collectstatic`; not with DEBUG).
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Logs go to stdout: JSON lines in production, readable lines with DEBUG.
LOG_FORMAT = os.getenv("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "arrow_site.jsonlog.JsonFormatter"},
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["stdout"], "level": os.getenv("DJANGO_LOG_LEVEL", "INFO")},
}
