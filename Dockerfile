# The "scale" shape of Dual Power: one image for web (granian), the Celery worker,
# Celery beat and the one-shot migration. Configured only by environment variables;
# see docker-compose.yml.

# --- build: dependencies, compiled translations, collected static files -------------
FROM python:3.13-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# gettext provides msgfmt for compilemessages; only this stage needs it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app

# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# The settings need a SECRET_KEY when DEBUG is off; this one exists only in this RUN.
# locale/ is in LOCALE_PATHS; creating it keeps compilemessages working before the
# first catalogue lands (it refuses to run when it finds no locale directory).
RUN mkdir -p locale \
    && export SECRET_KEY=build-only-not-a-secret DUALPOWER_VAR_DIR=/app/var \
    && python manage.py compilemessages \
    && python manage.py collectstatic --noinput

# --- runtime ------------------------------------------------------------------------
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=dualpower.settings \
    DUALPOWER_VAR_DIR=/app/var

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home app

COPY --from=build /opt/venv /opt/venv
# Code and collected static files stay root-owned (read-only to the app user); the
# rest of var/ is the app's to write. var/beat/ holds celery beat's schedule volume.
COPY --from=build /app /app
RUN mkdir -p /app/var/beat /app/var/media \
    && chown app:app /app/var \
    && find /app/var -mindepth 1 -maxdepth 1 ! -name static -exec chown -R app:app {} +

WORKDIR /app
USER app

EXPOSE 8000

CMD ["granian", "--interface=wsgi", "--host=0.0.0.0", "--port=8000", \
     "--workers=2", "--blocking-threads=1", "--no-ws", "--access-log", \
     "dualpower.wsgi:application"]
