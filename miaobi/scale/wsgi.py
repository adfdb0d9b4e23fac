"""WSGI entry of `miaobi serve --prod`: the site, with its indexes loaded before the first request.

Under gunicorn --preload this runs once in the master, before the workers fork; under granian once
in each worker.
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "miaobi.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

from miaobi.scale.prod import warm_up  # noqa: E402

application = get_wsgi_application()
warm_up()
