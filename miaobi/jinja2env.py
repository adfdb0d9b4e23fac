"""The Jinja2 environment of the public pages (the admin keeps Django's template language).

Public pages are the hot path: Jinja2 compiles templates to Python and renders an article page
several times faster than the Django template language (bench/pages.py).
"""
from functools import lru_cache

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import Environment, StrictUndefined  # noqa: F401  (StrictUndefined kept for debugging)

from miaobi.search.snippets import highlight


@lru_cache(maxsize=1024)
def url(name: str, *args) -> str:
    """reverse(), memoised: the URL configuration does not change while a process runs."""
    return reverse(name, args=args or None)


def local_time(value, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A datetime in the site's time zone, formatted with strftime."""
    return timezone.localtime(value).strftime(fmt) if value else ""


def state_label(value: str) -> str:
    from miaobi.orders.models import State

    return State(value).label if value in State.values else value


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals.update(url=url, static=static, get_messages=get_messages, state_label=state_label, free_quota=settings.MIAOBI_FREE_QUOTA)
    env.filters.update(local_time=local_time, highlight=highlight)
    return env
