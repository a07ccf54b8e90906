"""Settings for the Victims Assistance Fund tracker, driven by the environment.

`DJANGO_ENV=production` switches on the production rules: no default for any
secret (the process refuses to start and names the missing variable), DEBUG
off, secure cookies and HSTS. Every variable is documented in `.env.example`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import Environment, read_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

_bootstrap = Environment()
ENVIRONMENT = _bootstrap.str("DJANGO_ENV", "development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be 'development' or 'production', not {ENVIRONMENT!r}.")
PRODUCTION = ENVIRONMENT == "production"

# Outside production, fall back to the generated development keys file.
env = Environment(fallback={} if PRODUCTION else read_env_file(VAR_DIR / "dev.env"))

if PRODUCTION:
    SECRET_KEY = env.required("DJANGO_SECRET_KEY", "signs sessions and CSRF tokens")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "The environment variable DJANGO_ALLOWED_HOSTS must be set in production "
            "(comma-separated host names this site answers to). See .env.example."
        )
    DEBUG = False
    VAF_MASTER_KEYS = env.required("VAF_MASTER_KEYS", "wraps each case's data key")
    VAF_BLIND_INDEX_KEY = env.required("VAF_BLIND_INDEX_KEY", "keys the blind indexes")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", "development-only-insecure-secret-key-not-for-production")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    # Off unless asked for: the demo shows the real 404/500 pages, never
    # Django's debug page (which would print settings and request data).
    DEBUG = env.bool("DJANGO_DEBUG", False)
    # Missing keys are reported by the vault on first use, never replaced.
    VAF_MASTER_KEYS = env.str("VAF_MASTER_KEYS", "")
    VAF_BLIND_INDEX_KEY = env.str("VAF_BLIND_INDEX_KEY", "")

# --- The audit log as a transparency log ------------------------------------
# Ed25519 private key (base64 raw 32 bytes) that signs audit checkpoints. Only
# the signer (`manage.py audit_checkpoint`) needs it; `check --deploy` warns
# when a process that serves the site has it.
VAF_AUDIT_SIGNING_KEY = env.str("VAF_AUDIT_SIGNING_KEY", "")
# Further verifier keys (comma-separated) of earlier signing keys, so their
# checkpoints stay trusted after the signing key is replaced.
VAF_AUDIT_TRUSTED_PUBLIC_KEYS = env.str("VAF_AUDIT_TRUSTED_PUBLIC_KEYS", "")
# Verifier keys (name+keyid+base64, comma-separated) of the witnesses whose
# cosignatures verification reports.
VAF_AUDIT_WITNESS_KEYS = env.str("VAF_AUDIT_WITNESS_KEYS", "")
if PRODUCTION:
    VAF_AUDIT_LOG_ORIGIN = env.required("VAF_AUDIT_LOG_ORIGIN", "names the audit log in its checkpoints")
    VAF_AUDIT_CHECKPOINT_DIR = env.required("VAF_AUDIT_CHECKPOINT_DIR", "keeps checkpoints outside the database")
    VAF_AUDIT_VERIFIER_KEY = env.required("VAF_AUDIT_VERIFIER_KEY", "verifies the audit log's checkpoints")
else:
    VAF_AUDIT_LOG_ORIGIN = env.str("VAF_AUDIT_LOG_ORIGIN", "localhost/audit")
    VAF_AUDIT_CHECKPOINT_DIR = env.str("VAF_AUDIT_CHECKPOINT_DIR", str(VAR_DIR / "checkpoints"))
    # Derived from the signing key when empty (development only).
    VAF_AUDIT_VERIFIER_KEY = env.str("VAF_AUDIT_VERIFIER_KEY", "")

# No Django admin site: administrators manage users through audited pages
# (accounts.user_admin) and never reach case data.
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "accounts",
    "vault",
    "audit",
    "referrals",
    "fund",
    "standards",
    "documents",
    "reports",
    "demo",
    "notifications",
    "operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "audit.denials.AccessDeniedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
                "notifications.context_processors.bell",
                "accounts.context_processors.session_limits",
            ],
            # Display formats (config/formats.py) in every template, no {% load %}.
            "builtins": ["config.templatetags.vaf_format", "audit.templatetags.audit_labels"],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "vaf.sqlite3",
        }
    }
# Django's backends plus work run at a transaction's last moment (the audit
# chain's appends, see config/db/before_commit.py).
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.sqlite3": "config.db.sqlite3",
    "django.db.backends.postgresql": "config.db.postgresql",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
if DATABASES["default"]["ENGINE"] == "config.db.sqlite3":
    # BEGIN IMMEDIATE: every transaction takes the write lock up front, so
    # read-then-write sequences (audit chain head, balances) cannot interleave.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 30, "init_command": "PRAGMA foreign_keys=ON;"}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Roles that must pass a second factor (TOTP) after the password. Production:
# every interactive role; development (`make run`): none, so the demo signs in
# with a password. Read at request time, so tests can override it.
_INTERACTIVE_ROLES = "caseworker,approver,finance,auditor,admin"
VAF_MFA_REQUIRED_ROLES = env.list("VAF_MFA_REQUIRED_ROLES", _INTERACTIVE_ROLES if PRODUCTION else "")
OTP_TOTP_ISSUER = env.str("VAF_OTP_ISSUER", "Victims Assistance Fund")
# One-time set-password links (new accounts, approved resets) expire after this.
VAF_SET_PASSWORD_LINK_HOURS = env.int("VAF_SET_PASSWORD_LINK_HOURS", 72)
# Failed sign-ins and second-factor codes, and password-reset requests, per
# client address per window (429 with Retry-After beyond): tight, since only
# people type these; successful sign-ins are not counted.
VAF_SIGNIN_RATE = env.str("VAF_SIGNIN_RATE", "30/15m")
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env.int("VAF_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
# Lock by username and client address together: a stranger failing from
# elsewhere cannot lock a colleague out. Password spraying from one address
# across many usernames is stopped by the per-address sign-in rate limit below.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "audit.middleware.request_client_ip"
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("VAF_TIME_ZONE", "Asia/Riyadh")
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded documents, sealed (vault.streaming) before they are stored. The
# web server never serves MEDIA_ROOT: documents are downloaded through the
# application only, which checks access and records each download.
MEDIA_ROOT = BASE_DIR / env.str("VAF_MEDIA_ROOT", "var/media")  # relative paths are under the project
MEDIA_URL = "/media-not-served/"
# "s3" stores them in any S3-compatible bucket through django-storages (boto3
# must be installed then); credentials come from the usual AWS_* variables.
VAF_DOCUMENT_STORAGE = env.str("VAF_DOCUMENT_STORAGE", "filesystem")
if VAF_DOCUMENT_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.required("VAF_S3_BUCKET", "names the bucket documents are stored in"),
            "endpoint_url": env.str("VAF_S3_ENDPOINT_URL", "") or None,
            "region_name": env.str("VAF_S3_REGION", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif VAF_DOCUMENT_STORAGE == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("VAF_DOCUMENT_STORAGE must be 'filesystem' or 's3'.")
# Outside production, whitenoise serves static files straight from the
# source folders, so `make run` works without DEBUG and without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Absolute lifetime of a signed-in session, whatever the activity, and idle
# timeout (read at request time by accounts.middleware.SessionLimitsMiddleware).
SESSION_COOKIE_AGE = env.int("VAF_SESSION_ABSOLUTE_HOURS", 8) * 60 * 60
VAF_SESSION_IDLE_MINUTES = env.int("VAF_SESSION_IDLE_MINUTES", 30)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # request bodies over 64 KiB are refused
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- API ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.HashedTokenAuthentication",
        "accounts.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "config.api_errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.throttles.TokenRateThrottle",
        "accounts.throttles.AddressRateThrottle",
    ],
}
# API rate limits (requests/period, period s, m, h or d), read at request time:
# per token (or signed-in account) and per client address.
VAF_API_RATE_PER_TOKEN = env.str("VAF_API_RATE_PER_TOKEN", "1200/m")
VAF_API_RATE_PER_ADDRESS = env.str("VAF_API_RATE_PER_ADDRESS", "3000/m")
# API tokens expire after this many days unless create_api_token says otherwise.
VAF_API_TOKEN_DAYS = env.int("VAF_API_TOKEN_DAYS", 90)
SPECTACULAR_SETTINGS = {
    "TITLE": "Victims Assistance Fund tracker API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and the docs page are for signed-in users and token holders only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_schema.one_of_as_any_of",
        "accounts.schema.token_limit_responses",
    ],
}

# Load balancers in front of the app that append to X-Forwarded-For; the
# audit log records the client address the outermost of them saw.
VAF_TRUSTED_PROXY_COUNT = env.int("VAF_TRUSTED_PROXY_COUNT", 0)

# --- Domain settings (changeable without a code change) ------------------------
VAF_INTAKE_ORGANISATION = env.str("VAF_INTAKE_ORGANISATION", "NRM Coordination Unit")
# Paginated lists count matching rows up to this many (config/pagination.py); 0: no cap.
VAF_LIST_COUNT_CAP = env.int("VAF_LIST_COUNT_CAP", 1000)
VAF_FUND_CURRENCY = env.str("VAF_FUND_CURRENCY", "SAR")
VAF_DUAL_APPROVAL_THRESHOLD = Decimal(env.str("VAF_DUAL_APPROVAL_THRESHOLD", "5000.00"))
VAF_CASE_LIMIT = Decimal(env.str("VAF_CASE_LIMIT", "50000.00"))
# Supporting documents: the largest file accepted, counted while it arrives.
VAF_DOCUMENT_MAX_BYTES = env.int("VAF_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
# Reconciling a payment needs a receipt document attached to it.
VAF_RECEIPT_REQUIRED_FOR_RECONCILE = env.bool("VAF_RECEIPT_REQUIRED_FOR_RECONCILE", True)

# --- Data standards (docs/htcds.md) ------------------------------------------------
# ISO 3166-1 alpha-2 code of the country the NRM serves (CTDC CountryOfExploitation).
VAF_COUNTRY = env.str("VAF_COUNTRY", "SA")
# k of the CTDC export: every published combination of values occurs at least k times.
VAF_CTDC_K = env.int("VAF_CTDC_K", 11)
# Report cells counting fewer victims than this are shown as "< N".
VAF_REPORT_SMALL_CELL = env.int("VAF_REPORT_SMALL_CELL", 5)
# Limits of one spreadsheet upload (referral intake).
VAF_INTAKE_MAX_ROWS = env.int("VAF_INTAKE_MAX_ROWS", 1000)
VAF_INTAKE_MAX_BYTES = env.int("VAF_INTAKE_MAX_BYTES", 5 * 1024 * 1024)

# --- Logging: no personal data is ever passed to a logger ------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logs.JsonFormatter"},
    },
    # json (default in production): one object per line, for a log collector.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env.str("DJANGO_LOG_FORMAT", "json" if PRODUCTION else "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Background work (Celery) ------------------------------------------------------
# Redis in production, e.g. redis://redis.internal:6379/0. Unset: no broker,
# tasks run in the calling process (make run, tests).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", "") or None
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", "") or CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL is None)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-task leaves it for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request never waits long on a broker that is down: the outbox keeps the work.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "timeout": 2}
CELERY_TIMEZONE = "UTC"
# Only the signer worker (the one process with VAF_AUDIT_SIGNING_KEY) consumes
# the "signer" queue: the checkpoint key stays out of the web and other workers.
CELERY_TASK_ROUTES = {"operations.tasks.audit_checkpoint_job": {"queue": "signer"}}
CELERY_BEAT_SCHEDULE_FILENAME = env.str("CELERY_BEAT_SCHEDULE_FILENAME", str(VAR_DIR / "celerybeat-schedule"))

# --- Schedules (run by Celery beat; each run is recorded as a ScheduleRun) ------------
VAF_CHECKPOINT_EVERY_MINUTES = env.int("VAF_CHECKPOINT_EVERY_MINUTES", 60)
VAF_VERIFY_EVERY_MINUTES = env.int("VAF_VERIFY_EVERY_MINUTES", 15)
# Auditors are told when the newest checkpoint is older than this.
VAF_CHECKPOINT_MAX_AGE_MINUTES = env.int("VAF_CHECKPOINT_MAX_AGE_MINUTES", 3 * VAF_CHECKPOINT_EVERY_MINUTES)
VAF_REMIND_ASSESSMENT_AFTER_DAYS = env.int("VAF_REMIND_ASSESSMENT_AFTER_DAYS", 14)
VAF_REMIND_APPROVAL_AFTER_DAYS = env.int("VAF_REMIND_APPROVAL_AFTER_DAYS", 3)
# Erase a case's personal data this many years after it was closed, withdrawn
# or rejected. 0 (the default): retention is off until the policy is decided.
VAF_RETENTION_YEARS = env.int("VAF_RETENTION_YEARS", 0)
# E-mail links point here (https://vaf.example.org); no trailing slash.
VAF_SITE_URL = env.str("VAF_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CELERY_BEAT_SCHEDULE = {
    "outbox": {"task": "operations.tasks.outbox_job", "schedule": 60.0},
    "audit_checkpoint": {
        "task": "operations.tasks.audit_checkpoint_job",
        "schedule": 60.0 * VAF_CHECKPOINT_EVERY_MINUTES,
    },
    "audit_verify": {"task": "operations.tasks.audit_verify_job", "schedule": 60.0 * VAF_VERIFY_EVERY_MINUTES},
    "reminders": {"task": "operations.tasks.reminders_job", "schedule": 24 * 3600.0},
    "retention": {"task": "operations.tasks.retention_job", "schedule": 24 * 3600.0},
}

# --- E-mail (notifications carry no personal data) -------------------------------------
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", "VAF tracker <no-reply@vaf.example.org>")
EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env.str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", 587)
EMAIL_HOST_USER = env.str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 10
