FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 TENSIONS_DATA_DIR=/data
WORKDIR /app

COPY requirements.txt requirements-model.txt ./
RUN pip install --no-cache-dir -r requirements.txt \
 && pip install --no-cache-dir --no-deps --require-hashes -r requirements-model.txt

COPY . .
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
 && useradd --create-home tensions && mkdir -p /data && chown tensions /data
USER tensions

EXPOSE 8000
CMD ["gunicorn", "tensions.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
