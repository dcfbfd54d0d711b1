"""The WSGI entry point for gunicorn: `gunicorn wsgi:app` (see gunicorn.conf.py)."""

from fitcheck import create_app

app = create_app()
