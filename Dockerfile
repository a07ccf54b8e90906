# The tracker's image: one image for web, worker, signer and beat (compose.yaml).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
WORKDIR /srv/vaf
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files are collected at build time with throw-away keys that exist only
# so the production settings load during this step; no container uses them.
RUN export $(DJANGO_ENV=development python manage.py generate_keys \
      | grep -E '^(DJANGO_SECRET_KEY|VAF_MASTER_KEYS|VAF_BLIND_INDEX_KEY)=' | xargs) \
 && DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
 && useradd --system --home /srv/vaf vaf && mkdir -p var && chown vaf var
USER vaf
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--workers", "3", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
