"""The full-text index over search_text, per database vendor.

SQLite: two FTS5 tables with search_text as their external content, kept in step by triggers
(search_fts: everything; search_head_fts: title, tags and genre); the unicode61 tokenizer only
splits our space-joined tokens (they hold letters and digits only).
PostgreSQL: generated tsvector columns with the `simple` configuration over the same tokens
(title A, tags and genre B, body C, characters D; `head` = title and tags only) and GIN indexes.
Other databases get no index (search then finds nothing, and says so).
"""
from django.db import migrations

FTS_COLUMNS = "title_tokens, tag_tokens, body_tokens, chars, facets"
HEAD_COLUMNS = "title_tokens, tag_tokens, facets"


def _values(prefix: str, columns: str) -> str:
    return ", ".join(f"{prefix}.{c.strip()}" for c in columns.split(","))


def _sync(table: str, columns: str, delete: bool) -> str:
    if delete:
        return (f"INSERT INTO {table}({table}, rowid, {columns}) "
                f"VALUES ('delete', old.article_id, {_values('old', columns)});")
    return f"INSERT INTO {table}(rowid, {columns}) VALUES (new.article_id, {_values('new', columns)});"


SQLITE_FORWARD = [
    # The whole text: what is matched and ranked.
    f"""CREATE VIRTUAL TABLE search_fts USING fts5({FTS_COLUMNS},
        content='search_text', content_rowid='article_id', tokenize='unicode61', detail=full)""",
    # Titles, tags and genre only: small doclists, so title matches and typeahead stay cheap
    # however common a word is in bodies.
    f"""CREATE VIRTUAL TABLE search_head_fts USING fts5({HEAD_COLUMNS},
        content='search_text', content_rowid='article_id', tokenize='unicode61', detail=full)""",
    f"""CREATE TRIGGER search_text_ai AFTER INSERT ON search_text BEGIN
        {_sync("search_fts", FTS_COLUMNS, False)}
        {_sync("search_head_fts", HEAD_COLUMNS, False)}
    END""",
    f"""CREATE TRIGGER search_text_ad AFTER DELETE ON search_text BEGIN
        {_sync("search_fts", FTS_COLUMNS, True)}
        {_sync("search_head_fts", HEAD_COLUMNS, True)}
    END""",
    f"""CREATE TRIGGER search_text_au AFTER UPDATE ON search_text BEGIN
        {_sync("search_fts", FTS_COLUMNS, True)}
        {_sync("search_head_fts", HEAD_COLUMNS, True)}
        {_sync("search_fts", FTS_COLUMNS, False)}
        {_sync("search_head_fts", HEAD_COLUMNS, False)}
    END""",
    # Rows already there (none on a new database) enter the index.
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    "INSERT INTO search_head_fts(search_head_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_text_au",
    "DROP TRIGGER IF EXISTS search_text_ad",
    "DROP TRIGGER IF EXISTS search_text_ai",
    "DROP TABLE IF EXISTS search_head_fts",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_FORWARD = [
    """ALTER TABLE search_text ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, tag_tokens), 'B')
        || setweight(to_tsvector('simple'::regconfig, body_tokens), 'C')
        || setweight(to_tsvector('simple'::regconfig, chars), 'D')) STORED""",
    """ALTER TABLE search_text ADD COLUMN head tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, tag_tokens), 'B')) STORED""",
    "CREATE INDEX search_text_gin ON search_text USING gin (document)",
    "CREATE INDEX search_text_head_gin ON search_text USING gin (head)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_text_head_gin",
    "DROP INDEX IF EXISTS search_text_gin",
    "ALTER TABLE search_text DROP COLUMN IF EXISTS head",
    "ALTER TABLE search_text DROP COLUMN IF EXISTS document",
]

STATEMENTS = {"sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD), "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD)}


def forward(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
