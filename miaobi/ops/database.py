"""What operations need to know about a database: its vendor, whether it is empty, and how to reach one
named by a URL (the target of `miaobi copydb`, a restored copy in tests) beside the site's own."""
from __future__ import annotations

import contextlib
import os
import uuid

import dj_database_url
from django.db import connections
from django.db.utils import load_backend

SUPPORTED = {"sqlite", "postgresql"}
ENGINES = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}


class OpsError(Exception):
    """A refusal or failure an operator must read (English, for the CLI and logs)."""


def vendor_label(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)


@contextlib.contextmanager
def database_at(url: str):
    """A connection alias for the database at `url`, removed again on exit."""
    try:
        config = dj_database_url.parse(url)
    except Exception as exc:  # dj-database-url raises bare ValueErrors and KeyErrors for odd URLs
        raise OpsError(f"cannot read the database URL ({type(exc).__name__}: {exc})") from exc
    if config.get("ENGINE") not in ENGINES:
        raise OpsError(f"{url.split(':', 1)[0]}: not a database Miaobi runs on (SQLite and PostgreSQL only)")
    alias = f"ops_{uuid.uuid4().hex[:8]}"
    config = connections.configure_settings({"default": config})["default"]
    # A connection object of its own, not an entry in DATABASES: nothing else in the process sees it.
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    try:
        yield alias
    finally:
        connections[alias].close()
        del connections[alias]


def table_names(alias: str = "default") -> list[str]:
    """Every table of the database (not just Django's), to tell an empty database from a used one."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


def postgres_env(settings_dict: dict) -> dict[str, str]:
    """Environment for pg_dump / pg_restore: the password never appears on a command line."""
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    env["PGDATABASE"] = str(settings_dict["NAME"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def stored_models() -> list:
    """Every model with a table of its own (M2M tables included), parents before the rows that refer to them.

    A cycle (a model referring to itself, or two models to each other) is broken where it closes;
    copies stay correct because foreign keys are checked at commit (Django declares them deferrable).
    """
    from django.apps import apps

    models = [m for m in apps.get_models(include_auto_created=True)
              if m._meta.managed and not m._meta.proxy and not m._meta.swapped]
    ordered, seen = [], set()

    def visit(model, path):
        if model in seen or model in path:
            return
        path = path | {model}
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target is not None and target in models_set:
                visit(target, path)
        seen.add(model)
        ordered.append(model)

    models_set = set(models)
    for model in sorted(models, key=lambda m: m._meta.label):
        visit(model, frozenset())
    return ordered


def count_rows(alias: str, models) -> dict[str, int]:
    """Rows per model label, for the models whose table exists (one COUNT each)."""
    connection = connections[alias]
    existing = set(table_names(alias))
    counts = {}
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                counts[model._meta.label] = cursor.fetchone()[0]
    return counts
