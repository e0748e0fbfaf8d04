# syntax=docker/dockerfile:1
# The MPP case-management image. It serves the web app with gunicorn (the default command); the same
# image runs the Celery worker and beat (see docker-compose.yml).
#
# Debian bookworm, the release this project is developed and tested on, so the package names below are
# the ones checked there.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=mpp.settings.production \
    WEB_CONCURRENCY=3

# WeasyPrint draws PDFs (NTAs, tear sheets) with Pango and HarfBuzz; libharfbuzz-subset0 makes font
# subsetting about 5x faster. DejaVu covers the accented letters of Spanish, Portuguese and Haitian Creole.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The app runs as an unprivileged user that cannot change its own code (the files stay root's).
RUN groupadd --system --gid 10001 mpp \
    && useradd --system --uid 10001 --gid mpp --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin mpp

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. Every file is checked against its hash.
COPY requirements/base.txt requirements/base.txt
RUN pip install --require-hashes -r requirements/base.txt

COPY . .

# collectstatic reads the settings but needs no secret and no service: throwaway values, for this step only.
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://unused@localhost/unused \
    REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput --verbosity 0

USER mpp
EXPOSE 8000
# Workers: WEB_CONCURRENCY (gunicorn reads it). Behind a TLS proxy, set FORWARDED_ALLOW_IPS to its address.
CMD ["gunicorn", "mpp.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
