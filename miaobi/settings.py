"""Miaobi settings: one module, every deployment knob from the environment.

Defaults run out of the box on an embedded SQLite database under MIAOBI_DATA_DIR (var/).
"""
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("MIAOBI_DATA_DIR", BASE_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data dir."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "miaobi.siteconfig",
    "miaobi.accounts",
    "miaobi.library",
    "miaobi.moderation",
    "miaobi.search",
    "miaobi.exports",
    "miaobi.orders",
    "miaobi.publishing",
    "miaobi.importer",
    "miaobi.jobs",  # background jobs: `miaobi worker`, the email outbox, the maintenance desk
    "miaobi.ops",  # operations: backup/restore, copydb, /healthz, request logs
    "csp",  # django-csp: the Content-Security-Policy header
]

MIDDLEWARE = [
    "miaobi.ops.requestlog.RequestIdMiddleware",  # first: the request id and log line cover everything
    "django.middleware.security.SecurityMiddleware",
    "miaobi.ops.csp.ContentSecurityPolicy",  # outside the page cache: cached pages get the header too
    # Visitors' article, list and search pages; early, so a hit skips sessions, auth and the view.
    "miaobi.publishing.pagecache.AnonymousPageCache",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "miaobi.publishing.conditional.ConditionalGetForVisitors",  # ETag/Last-Modified for visitors
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "miaobi.urls"
WSGI_APPLICATION = "miaobi.wsgi.application"

TEMPLATES = [
    {
        # Public pages: Jinja2 (the site's hot path, see miaobi/jinja2env.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "miaobi" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "environment": "miaobi.jinja2env.environment",
            "autoescape": True,
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "miaobi.siteconfig.context_processors.site",
                "miaobi.publishing.context_processors.publishing",
            ],
        },
    },
    {
        # The Django admin and third-party apps.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "miaobi.siteconfig.context_processors.site",
            ],
        },
    },
]

# Embedded default: SQLite in WAL mode; scale-out: DATABASE_URL=postgres://...
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "miaobi.sqlite3",
            # Keep connections: opening SQLite and running the PRAGMAs per request costs more than the page.
            "CONN_MAX_AGE": None,
            # Tests use a file too (not shared-cache memory), so concurrency behaves as in production.
            # One file per test process, so parallel test runs never share it.
            "TEST": {"NAME": str(DATA_DIR / f"test-miaobi-{os.getpid()}.sqlite3")},
            "OPTIONS": {
                # WAL lets readers run while one writer writes; IMMEDIATE avoids
                # "database is locked" upgrades from read to write transactions.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Scale path: cache, sessions and rate-limit counters (miaobi/scale/cache.py) ---------------------
# Embedded default: per-process memory cache, sessions in the database. REDIS_URL: one Redis shared by
# every worker for the cache, the rate-limit counters and cached sessions (cached_db: the database
# keeps every session, so logins survive Redis going away). A Redis outage turns cache calls into
# misses, logged once: pages come from the database, rate limits count in each worker's memory.
# "shared": what every worker must agree on — the library generation (fragments.py) and the anonymous
# page cache. Embedded default: files in the data dir (no service; one worker's change retires every
# worker's pages at once). With Redis: Redis, like the rest.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "miaobi"},
    "shared": {"BACKEND": "miaobi.scale.filecache.SharedFileCache", "LOCATION": str(DATA_DIR / "cache"),
               "TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 50_000, "CULL_FREQUENCY": 4}},
}
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "CLIENT_CLASS": "miaobi.scale.cache.ResilientClient",  # breaker: one log line per outage
            "IGNORE_EXCEPTIONS": True,  # a failed call is a miss
            # A Redis that hangs must not hang pages: give up quickly, the database has the data.
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }}
    CACHES["shared"] = CACHES["default"]
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# "fragments": rendered parts of pages (library/fragments.py), always in each worker's memory. Their keys
# carry the library generation, so no worker serves one after a change; in Redis a page's twenty
# fragments cost twenty round trips, more than rendering them.
CACHES["fragments"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "miaobi-fragments",
                       "OPTIONS": {"MAX_ENTRIES": 5000}}
# --- end of the scale path block --------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["miaobi.accounts.backends.MobileOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:me"

# Email: printed to the console locally; files with EMAIL_FILE_PATH; SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "妙笔智库 <noreply@localhost>")
if os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "465"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", EMAIL_PORT == 465)
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
elif os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "miaobi" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "uploads"
STATIC_ROOT.mkdir(exist_ok=True)
# `miaobi serve` collects static files and sets MIAOBI_STATIC_MANIFEST=1: hashed, compressed files
# with long cache headers. Everywhere else (tests, shell, DEBUG) files are served from the app folders.
STATIC_MANIFEST = env_bool("MIAOBI_STATIC_MANIFEST", False)
STORAGES = {
    # Uploads appear whole or not at all; a full disk is a clear error (miaobi/scale/storage.py).
    "default": {"BACKEND": "miaobi.scale.storage.UploadStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage" if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- Operations: production security, Content-Security-Policy, request ids and logs (miaobi/ops/) -----
# Production is DEBUG=0 (the default) with ALLOWED_HOSTS set; `miaobi check --deploy` must be clean.
# The secret key: SECRET_KEY from the environment, else the key generated once into the data dir. That
# key is random per site, readable by its owner only and kept in backups, so it is fit for production
# too (no refusal); set SECRET_KEY when several machines serve one site.
# MIAOBI_HTTPS=1 behind a proxy that terminates TLS and sets X-Forwarded-Proto (docs/deploy.md):
# redirect to HTTPS, secure cookies, HSTS.
HTTPS = env_bool("MIAOBI_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # probes from the machine itself speak plain HTTP
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("MIAOBI_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MIAOBI_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("MIAOBI_HSTS_PRELOAD", False)
# Silenced on purpose: HSTS preloading is a promise made to the browser vendors, an opt-in (W021);
# turning includeSubDomains off is likewise an explicit choice (W005).
SILENCED_SYSTEM_CHECKS = ["security.W021"] + ([] if SECURE_HSTS_INCLUDE_SUBDOMAINS else ["security.W005"])
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# No inline script, style or event handler anywhere (JSON-LD data blocks are not scripts): everything
# comes from our own static files, the admin's included. Report-only first if you add a third party.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# Logs: one line per request with its id (X-Request-ID from nginx, else made here), and the id on every
# line logged during the request. MIAOBI_LOG_FORMAT=json: one JSON object per line, for a log shipper.
# Proxies whose X-Real-IP is the client's address (nginx on the same machine: 127.0.0.1); empty: none.
MIAOBI_TRUSTED_PROXIES = env_list("MIAOBI_TRUSTED_PROXIES", "")
MIAOBI_LOG_FORMAT = os.environ.get("MIAOBI_LOG_FORMAT", "plain").strip().lower()
if MIAOBI_LOG_FORMAT not in {"plain", "json"}:
    raise ValueError(f"MIAOBI_LOG_FORMAT must be 'plain' or 'json', not {MIAOBI_LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "miaobi.ops.requestlog.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "miaobi.ops.requestlog.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": MIAOBI_LOG_FORMAT,
                             "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# --- end of the operations block ------------------------------------------------------------------

# Library rules (defaults; genres and articles may override the preview budget).
MIAOBI_PREVIEW_RATIO = float(os.environ.get("MIAOBI_PREVIEW_RATIO", "0.3"))
MIAOBI_PREVIEW_MAX_CHARS = int(os.environ.get("MIAOBI_PREVIEW_MAX_CHARS", "1500"))
MIAOBI_PAGE_SIZE = 20
# Members (accounts.entitlements).
MIAOBI_FREE_QUOTA = int(os.environ.get("MIAOBI_FREE_QUOTA", "3"))
MIAOBI_DAILY_DOWNLOAD_CAP = int(os.environ.get("MIAOBI_DAILY_DOWNLOAD_CAP", "30"))
MIAOBI_DAILY_READ_CAP = int(os.environ.get("MIAOBI_DAILY_READ_CAP", "200"))
MIAOBI_REDEEM_TRIES_PER_HOUR = int(os.environ.get("MIAOBI_REDEEM_TRIES_PER_HOUR", "10"))
MIAOBI_LOGIN_LOCK_MINUTES = int(os.environ.get("MIAOBI_LOGIN_LOCK_MINUTES", "15"))
MIAOBI_DOWNLOAD_LINK_SECONDS = 60
# Order desk (orders).
MIAOBI_SITE_URL = os.environ.get("MIAOBI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")  # links in emails
MIAOBI_STUDIO_EMAILS = env_list("MIAOBI_STUDIO_EMAILS", "")
MIAOBI_ORDER_REVISIONS = int(os.environ.get("MIAOBI_ORDER_REVISIONS", "2"))
MIAOBI_ORDER_AUTOCOMPLETE_DAYS = int(os.environ.get("MIAOBI_ORDER_AUTOCOMPLETE_DAYS", "3"))
MIAOBI_ORDER_RETENTION_DAYS = int(os.environ.get("MIAOBI_ORDER_RETENTION_DAYS", "180"))
MIAOBI_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
MIAOBI_ATTACHMENTS_PER_MESSAGE = 5
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
MIAOBI_RELATED_COUNT = 8
MIAOBI_LATEST_COUNT = 10
MIAOBI_SEARCH_RATE = os.environ.get("MIAOBI_SEARCH_RATE", "30/m")  # anonymous searches per IP: "30/m", "500/h", "off"
# Importer and originality check (importer).
MIAOBI_IMPORT_MAX_BYTES = 50 * 1024 * 1024  # per file, and per archive member once unpacked
MIAOBI_NEAR_DUPLICATE_THRESHOLD = float(os.environ.get("MIAOBI_NEAR_DUPLICATE_THRESHOLD", "0.5"))  # Jaccard of 5-shingles
MIAOBI_ORIGINALITY_AMBER = float(os.environ.get("MIAOBI_ORIGINALITY_AMBER", "10"))  # percent found elsewhere
MIAOBI_ORIGINALITY_RED = float(os.environ.get("MIAOBI_ORIGINALITY_RED", "30"))

# Background jobs (huey; tasks in each app's tasks.py, `miaobi worker` in miaobi/jobs/).
# MIAOBI_JOBS=inline (default) runs a job inside the request or command that asks for it: development,
# tests, a small site without a worker. MIAOBI_JOBS=queue hands jobs to `miaobi worker`, through an
# SQLite file in the data dir (no extra service), or through Redis when REDIS_URL is set.
MIAOBI_JOBS = os.environ.get("MIAOBI_JOBS", "inline").strip().lower()
if MIAOBI_JOBS not in {"inline", "queue"}:
    raise ValueError(f"MIAOBI_JOBS must be 'inline' or 'queue', not {MIAOBI_JOBS!r}")
HUEY = {
    "name": "miaobi",
    "immediate": MIAOBI_JOBS == "inline",
    "results": False,  # outcomes live in our own tables (import batches, sent emails), not in the queue
    "consumer": {"workers": 2, "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update(huey_class="huey.PriorityRedisHuey", url=REDIS_URL)
else:
    HUEY.update(huey_class="huey.SqliteHuey", filename=str(DATA_DIR / "jobs.sqlite3"))

# Anonymous page cache (publishing/pagecache.py): visitors' article, list and search pages in the shared cache,
# retired by any library change in every worker within a second (fragments.LOCAL_SECONDS). Texts
# scheduled for later appear in cached lists at most this late. 0 turns it off.
MIAOBI_PAGE_CACHE_SECONDS = int(os.environ.get("MIAOBI_PAGE_CACHE_SECONDS", "300"))

# Worker processes of `miaobi import` (importer/pipeline.py); unset: one per core (max 4), none on one core.
MIAOBI_IMPORT_WORKERS = int(os.environ["MIAOBI_IMPORT_WORKERS"]) if os.environ.get("MIAOBI_IMPORT_WORKERS") else None

# Page-view and search-log flushes (publishing/counting.py) run in a thread of their own, so the request
# that finds the buffer due does not wait for the database's write lock. 0: in that request (tests).
MIAOBI_STATS_FLUSH_IN_BACKGROUND = os.environ.get("MIAOBI_STATS_FLUSH_IN_BACKGROUND", "1") != "0"
