"""Settings for Dual Power: one module, driven by environment variables.

Safe defaults: DEBUG is off unless DJANGO_DEBUG=1; SECRET_KEY is required when
DEBUG is off. With no DATABASE_URL the app runs on an embedded SQLite database;
with no REDIS_URL Celery uses a broker kept in files under var/.
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("DUALPOWER_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# Under the test runner no secret is needed and static files need no manifest.
TESTING = env_bool("DUALPOWER_TESTING") or "pytest" in sys.modules

# Management commands that work on code and files only and never sign anything: they run
# without a secret, so a developer can make migrations or messages with no environment set.
OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compilemessages", "showmigrations", "help"}
OFFLINE_COMMAND = len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") and sys.argv[1] in OFFLINE_COMMANDS

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not TESTING and not OFFLINE_COMMAND:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-tests-and-offline-commands"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Ours: the project's shared pieces, then the tenant, then the seven steps.
    "dualpower",
    "accounts",
    "institutions",
    "notifications",
    "decisions",
    "needs",
    "consultation",
    "research",
    "meetings",
    "logistics",
    "evaluation",
    "followthrough",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "dualpower.public_pages.PublicPages",
    "institutions.middleware.TenantMiddleware",
]

ROOT_URLCONF = "dualpower.urls"
WSGI_APPLICATION = "dualpower.wsgi.application"
ASGI_APPLICATION = "dualpower.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "institutions.context_processors.tenant",
            ],
            # {% url %} with its addresses kept per process (dualpower/urls_kept.py).
            "builtins": ["dualpower.templatetags.kept_urls"],
        },
    },
]

# Database: PostgreSQL when DATABASE_URL is set, else embedded SQLite tuned for
# concurrent writers (WAL, busy timeout, IMMEDIATE transactions).
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=20000; PRAGMA synchronous=NORMAL;",
            },
            # A file, not memory, so that a real Celery worker process sees the test data.
            # One file per test run, so two runs on one machine never delete each other's database.
            "TEST": {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when available (shared by every web process), else local memory.
REDIS_URL = os.environ.get("REDIS_URL", "")


def _redis_url_for_test_worker(url, worker):
    """Parallel test workers (pytest-xdist: gw0, gw1, ...) each get a test database of their own from
    pytest-django; this gives each a Redis database of its own too (the given one + 1 + the worker's
    number), so that one worker clearing the cache or reading a queue never touches another's."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + 1 + int(worker.removeprefix("gw"))
    return urlunsplit(parts._replace(path=f"/{database}"))


# Set once in the worker process and written back, so that the processes a test starts (a Celery
# worker, `manage.py up`) inherit the worker's Redis database instead of moving on again.
if TESTING and REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER") and not os.environ.get("DUALPOWER_WORKER_REDIS"):
    REDIS_URL = os.environ["REDIS_URL"] = os.environ["DUALPOWER_WORKER_REDIS"] = _redis_url_for_test_worker(
        REDIS_URL, os.environ["PYTEST_XDIST_WORKER"]
    )
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "dualpower.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Template fragments that are pure functions of what their {% cache %} tag varies on (the layout's
# menus, assets and language choice: templates/base.html), kept in each process: nothing to
# invalidate, since any change in what they vary on is a different key.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "dualpower-fragments",
    "TIMEOUT": 24 * 3600,
    "OPTIONS": {"MAX_ENTRIES": 2000},
}

# Public pages for anonymous visitors, kept rendered (dualpower/public_pages.py): only with a cache
# that every web process shares, and not under the test runner unless a test asks.
INSTITUTION_CACHE_SECONDS = env_int("INSTITUTION_CACHE_SECONDS", 60 if REDIS_URL and not TESTING else 0)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail is the login, verified before use; login by code; TOTP.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Dual Power] "
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip,3/m/key",
}
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Dual Power"

# Sessions: rotated on login (Django does), expire after an idle period (refreshed at
# most every SESSION_REFRESH_SECONDS) and after an absolute lifetime whatever the activity.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 60 * 60 * 24 * 14)
SESSION_REFRESH_SECONDS = 300
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 60 * 60 * 24 * 30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Languages: English and Spanish, chosen by the user (cookie), no URL prefix.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG or TESTING
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and not TESTING
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded files (research evidence) live under MEDIA_ROOT and are never served directly (no
# MEDIA_URL): members download them through the app.
RESEARCH_ATTACHMENT_MAX_BYTES = env_int("RESEARCH_ATTACHMENT_MAX_BYTES", 10_000_000)
RESEARCH_ATTACHMENTS_PER_NOTE = env_int("RESEARCH_ATTACHMENTS_PER_NOTE", 10)
# Receipts on the money ledger (a photo or a PDF each).
RECEIPT_MAX_BYTES = env_int("RECEIPT_MAX_BYTES", 5_000_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# E-mail: SMTP when EMAIL_HOST is set, else files under var/mail/ (one file per
# batch; open them with any text editor).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Dual Power <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
MAIL_DIR = Path(os.environ.get("MAIL_DIR", VAR_DIR / "mail"))
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "OPTIONS": {"file_path": str(MAIL_DIR)},
        }
    }

# Security headers. HTTPS settings are on unless DEBUG or explicitly relaxed
# (the embedded default runs on plain http://127.0.0.1).
SECURE_HTTPS = env_bool("SECURE_HTTPS", not DEBUG and not TESTING)
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SECURE_HTTPS else "http"
SECURE_SSL_REDIRECT = SECURE_HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
# Public forms (surveys, consultation rounds, RSVPs): submissions one client may send per window.
# Generous, because a whole community centre can share one address.
PUBLIC_FORM_LIMIT = env_int("PUBLIC_FORM_LIMIT", 30)
PUBLIC_FORM_WINDOW = env_int("PUBLIC_FORM_WINDOW", 600)
# Where the per-client counts are kept (institutions/throttle.py): in Redis when every web process
# shares it (one atomic INCR, nothing to clean up), else in the database.
THROTTLE_IN_CACHE = env_bool("THROTTLE_IN_CACHE", bool(REDIS_URL) and not TESTING)

# Behind a reverse proxy, trust its X-Forwarded-Proto and (for public-form limits) X-Forwarded-For.
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if SECURE_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HTTPS
SECURE_HSTS_PRELOAD = SECURE_HTTPS
SESSION_COOKIE_SECURE = SECURE_HTTPS
CSRF_COOKIE_SECURE = SECURE_HTTPS
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Celery: Redis when REDIS_URL is set, else kombu's filesystem transport under var/.
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task Redis handed out and that was not acknowledged within this time (its worker died) goes to
    # another worker. It must outlast the longest run (time limit below) plus the longest retry delay,
    # or Redis would hand a running task to a second worker (see README, "Background jobs").
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
else:
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
        "control_folder": str(_broker_dir / "control"),
    }
CELERY_RESULT_BACKEND = None
# Unit tests run tasks in-process; the worker tests switch this off and use a real worker.
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task may run longer than this: the soft limit raises in the task (an export marks itself failed),
# the hard one ends the worker process. Far above any job's real run, well below the visibility timeout.
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "dualpower")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The whole beat schedule, for every environment. Later issues add their jobs here.
CELERY_BEAT_SCHEDULE = {
    "close-due-proposals": {"task": "decisions.tasks.close_due_proposals", "schedule": 60},
    "send-vote-reminders": {"task": "decisions.tasks.send_vote_reminders", "schedule": 5 * 60},
    "send-meeting-reminders": {"task": "meetings.tasks.send_meeting_reminders", "schedule": 5 * 60},
    "send-task-reminders": {"task": "logistics.tasks.send_task_reminders", "schedule": 60 * 60},
    "sync-upcoming-support-lines": {"task": "logistics.tasks.sync_upcoming_support_lines", "schedule": 60 * 60},
    "send-weekly-digests": {"task": "evaluation.tasks_digest.send_weekly_digests", "schedule": 60 * 60},
    "send-shift-reminders": {"task": "logistics.tasks_shifts.send_shift_reminders", "schedule": 60 * 60},
    "extend-shift-schedules-daily": {"task": "logistics.tasks_shifts.extend_shift_schedules", "schedule": 60 * 60 * 24},
    "send-check-in-reminders": {"task": "evaluation.tasks_checkins.send_check_in_reminders", "schedule": 60 * 60},
    "send-term-end-reminders-daily": {
        "task": "followthrough.tasks_governance.send_term_end_reminders",
        "schedule": 60 * 60 * 24,
    },
    "clear-expired-sessions-daily": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 60 * 60 * 24,
    },
    "purge-deleted-institutions-daily": {
        "task": "institutions.tasks.purge_deleted_institutions",
        "schedule": 60 * 60 * 24,
    },
    "forget-old-throttle-windows-daily": {
        "task": "institutions.tasks.forget_old_throttle_windows",
        "schedule": 60 * 60 * 24,
    },
    "forget-old-exports-daily": {"task": "followthrough.tasks_export.forget_old_exports", "schedule": 60 * 60 * 24},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
