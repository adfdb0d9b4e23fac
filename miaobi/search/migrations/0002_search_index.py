"""The full-text index over search_document, per database vendor.

SQLite: an FTS5 table with search_document as its external content, kept in step by triggers; the
unicode61 tokenizer only splits our space-joined tokens (they hold letters and digits only).
PostgreSQL: generated tsvector columns with the `simple` configuration over the same tokens
(title A, tags and genre B, body C, characters D; `head` = title and tags only) and GIN indexes.
Other databases get no index (search then finds nothing, and says so).
"""
from django.db import migrations

FTS_COLUMNS = "title_tokens, tag_tokens, body_tokens, chars, facets"

SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE search_fts USING fts5({FTS_COLUMNS},
        content='search_document', content_rowid='article_id', tokenize='unicode61', detail=full)""",
    f"""CREATE TRIGGER search_document_ai AFTER INSERT ON search_document BEGIN
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.article_id, new.title_tokens, new.tag_tokens, new.body_tokens, new.chars, new.facets);
    END""",
    f"""CREATE TRIGGER search_document_ad AFTER DELETE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.article_id, old.title_tokens, old.tag_tokens, old.body_tokens, old.chars, old.facets);
    END""",
    f"""CREATE TRIGGER search_document_au AFTER UPDATE ON search_document BEGIN
        INSERT INTO search_fts(search_fts, rowid, {FTS_COLUMNS})
        VALUES ('delete', old.article_id, old.title_tokens, old.tag_tokens, old.body_tokens, old.chars, old.facets);
        INSERT INTO search_fts(rowid, {FTS_COLUMNS})
        VALUES (new.article_id, new.title_tokens, new.tag_tokens, new.body_tokens, new.chars, new.facets);
    END""",
    # Rows already there (none on a fresh database) enter the index.
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_document_au",
    "DROP TRIGGER IF EXISTS search_document_ad",
    "DROP TRIGGER IF EXISTS search_document_ai",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_FORWARD = [
    """ALTER TABLE search_document ADD COLUMN document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, tag_tokens), 'B')
        || setweight(to_tsvector('simple'::regconfig, body_tokens), 'C')
        || setweight(to_tsvector('simple'::regconfig, chars), 'D')) STORED""",
    """ALTER TABLE search_document ADD COLUMN head tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
        || setweight(to_tsvector('simple'::regconfig, tag_tokens), 'B')) STORED""",
    "CREATE INDEX search_document_gin ON search_document USING gin (document)",
    "CREATE INDEX search_document_head_gin ON search_document USING gin (head)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_document_head_gin",
    "DROP INDEX IF EXISTS search_document_gin",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS head",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS document",
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
