"""The Jinja2 environment of the public pages (the admin keeps Django's template language).

Public pages are the hot path: Jinja2 compiles templates to Python and renders an article page
several times faster than the Django template language (bench/pages.py).
"""
from functools import lru_cache

from django.conf import settings
from django.contrib.messages import get_messages
from django.templatetags.static import static as django_static
from django.utils import timezone
from jinja2 import Environment, StrictUndefined, nodes  # noqa: F401  (StrictUndefined kept for debugging)
from jinja2.ext import Extension
from markupsafe import Markup

from miaobi.library.fragments import cached_fragment
from miaobi.reverse_cache import cached_reverse as url
from miaobi.search.snippets import highlight


@lru_cache(maxsize=1024)
def static(path: str) -> str:
    """static(), memoised: file names (hashed in production) do not change while a process runs."""
    return django_static(path)


class FragmentCache(Extension):
    """`{% cache "name:" ~ key %}…{% endcache %}`: keeps the rendered HTML of a part of a page that is
    the same for every reader, as a library fragment (retired by every library change; fragments.py).

    Only for HTML that depends on the key and the library alone — never on who is reading.
    """

    tags = {"cache"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        key = parser.parse_expression()
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        return nodes.CallBlock(self.call_method("_cached", [key]), [], [], body).set_lineno(lineno)

    def _cached(self, key, caller):
        return Markup(cached_fragment(f"html:{key}", lambda: str(caller())))


def local_time(value, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A datetime in the site's time zone, formatted with strftime."""
    return timezone.localtime(value).strftime(fmt) if value else ""


def state_label(value: str) -> str:
    from miaobi.orders.models import State

    return State(value).label if value in State.values else value


def environment(**options) -> Environment:
    options["extensions"] = [*options.get("extensions", ()), FragmentCache]
    env = Environment(**options)
    env.globals.update(url=url, static=static, get_messages=get_messages, state_label=state_label, free_quota=settings.MIAOBI_FREE_QUOTA)
    env.filters.update(local_time=local_time, highlight=highlight)
    return env
