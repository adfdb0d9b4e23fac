"""The two index backends behind one interface, chosen from `connection.vendor`.

Both read the same pre-segmented tokens (search_document, kept by services.py) and answer the same
question: the best `limit` published-status article ids for a parsed query and filters, with a
score (higher is better). Work is bounded for every query, however common its words:

* SQLite FTS5: bm25 with title > tags > body > characters, `ORDER BY rank LIMIT n` inside FTS5;
  filters are tokens of the `facets` column, so they narrow the match before the limit.
* PostgreSQL: `ts_rank_cd` over weights A/B/C/D, but only on a bounded candidate set: up to
  `limit` matches in index order plus the best title/tag matches (`head`, small and cheap to
  rank). For a rare query that is every match, so ranking is exact; for a query matching most of
  the library it is the best titles plus a sample, never 100,000 tsvectors detoasted.

The SQL each backend runs is available from `candidate_sql()` (bench/search.py times it bare).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from .query import ParsedQuery, Term

# bm25 weights of the FTS5 columns: title_tokens, tag_tokens, body_tokens, chars, facets.
FTS_WEIGHTS = (10.0, 4.0, 1.0, 0.3, 0.0)
FTS_TEXT_COLUMNS = "{title_tokens tag_tokens body_tokens chars}"
# ts_rank_cd weights, in PostgreSQL's order {D, C, B, A}: characters, body, tags, title.
PG_WEIGHTS = "{0.02,0.1,0.5,1.0}"
PG_HEAD_LIMIT = 200


@dataclass(frozen=True)
class Filters:
    genre_id: int | None = None
    tag_id: int | None = None
    year: int | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.genre_id, self.tag_id, self.year))


def _quote(word: str) -> str:
    # Words hold letters and digits only (query.py); quoting keeps FTS5 from reading AND/OR/NEAR.
    return '"' + word.replace('"', "") + '"'


class Backend:
    vendor = "none"

    def candidate_sql(self, parsed: ParsedQuery, filters: Filters, limit: int) -> tuple[str, list]:
        raise NotImplementedError

    def candidates(self, parsed: ParsedQuery, filters: Filters, limit: int) -> list[tuple[int, float]]:
        """[(article id, score)], best first, at most `limit`; empty for an empty query."""
        if parsed.is_empty:
            return []
        sql, params = self.candidate_sql(parsed, filters, limit)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(pk), float(score)) for pk, score in cursor.fetchall()]

    def title_matches(self, parsed: ParsedQuery, limit: int) -> list[int]:
        """Ids of articles whose title (or tags) hold every required word, best first (typeahead)."""
        return []

    def optimize(self) -> None:
        """Tidy the index after a bulk change (merge segments, refresh statistics)."""

    def size_bytes(self) -> int:
        return 0


class NullBackend(Backend):
    """A database without full-text support: nothing is found (and the page says so)."""

    def candidates(self, parsed, filters, limit):
        return []

    def candidate_sql(self, parsed, filters, limit):
        return "SELECT 1 WHERE 0 = 1", []


class SQLiteFTS5Backend(Backend):
    vendor = "sqlite"

    @staticmethod
    def term_expr(term: Term) -> str:
        if term.phrase:  # every word; adjacency is checked against the text afterwards
            return "(" + " AND ".join(_quote(w) for w in term.words) + ")"
        word = _quote(term.words[0])
        if term.parts:
            return f"({word} OR (" + " AND ".join(_quote(p) for p in term.parts) + "))"
        return word

    def match_expression(self, parsed: ParsedQuery, filters: Filters, columns: str = FTS_TEXT_COLUMNS) -> str:
        positive = " AND ".join(self.term_expr(t) for t in parsed.required)
        negative = [self.term_expr(t) for t in parsed.excluded if not t.phrase]
        expr = f"({positive})" + (f" NOT ({' OR '.join(negative)})" if negative else "")
        expr = f"{columns} : ({expr})"
        facets = []
        if filters.genre_id is not None:
            facets.append(f'"g{int(filters.genre_id)}"')
        if filters.tag_id is not None:
            facets.append(f'"t{int(filters.tag_id)}"')
        if filters.year is not None:
            facets.append(f'"y{int(filters.year)}"')
        for token in facets:
            expr += f" AND facets : {token}"
        return expr

    def candidate_sql(self, parsed, filters, limit):
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        sql = (f"SELECT rowid, -bm25(search_fts, {weights}) AS score FROM search_fts "
               f"WHERE search_fts MATCH %s ORDER BY bm25(search_fts, {weights}) LIMIT %s")
        return sql, [self.match_expression(parsed, filters), int(limit)]

    def title_matches(self, parsed, limit):
        if parsed.is_empty:
            return []
        expr = self.match_expression(parsed, Filters(), columns="{title_tokens tag_tokens}")
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s "
                           f"ORDER BY bm25(search_fts, {weights}) LIMIT %s", [expr, int(limit)])
            return [int(row[0]) for row in cursor.fetchall()]

    def optimize(self):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")

    def size_bytes(self):
        with connection.cursor() as cursor:
            try:
                cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_fts%%' OR name = 'search_document'")
                return int(cursor.fetchone()[0] or 0)
            except Exception:  # dbstat is a compile-time option of SQLite
                return 0


class PostgresBackend(Backend):
    vendor = "postgresql"

    @staticmethod
    def term_expr(term: Term) -> str:
        def lexeme(word: str) -> str:
            return "'" + word.replace("'", "").replace("\\", "") + "'"

        if term.phrase:
            return "(" + " & ".join(lexeme(w) for w in term.words) + ")"
        word = lexeme(term.words[0])
        if term.parts:
            return f"({word} | (" + " & ".join(lexeme(p) for p in term.parts) + "))"
        return word

    def tsquery(self, parsed: ParsedQuery) -> str:
        expr = " & ".join(self.term_expr(t) for t in parsed.required)
        negative = [self.term_expr(t) for t in parsed.excluded if not t.phrase]
        if negative:
            expr = f"({expr}) & !({' | '.join(negative)})"
        return expr

    @staticmethod
    def filter_sql(filters: Filters) -> tuple[str, list]:
        sql, params = "", []
        if filters.genre_id is not None:
            sql += " AND d.genre_id = %s"
            params.append(int(filters.genre_id))
        if filters.year is not None:
            sql += " AND d.year = %s"
            params.append(int(filters.year))
        if filters.tag_id is not None:
            sql += " AND EXISTS (SELECT 1 FROM library_article_tags t WHERE t.article_id = d.article_id AND t.tag_id = %s)"
            params.append(int(filters.tag_id))
        return sql, params

    def candidate_sql(self, parsed, filters, limit):
        where, fparams = self.filter_sql(filters)
        sql = f"""
            WITH q AS (SELECT to_tsquery('simple', %s) AS q),
            cand AS (
                (SELECT d.article_id FROM search_document d, q WHERE d.head @@ q.q{where}
                 ORDER BY ts_rank_cd(d.head, q.q) DESC LIMIT %s)
                UNION
                (SELECT d.article_id FROM search_document d, q WHERE d.document @@ q.q{where} LIMIT %s)
            )
            SELECT d.article_id, ts_rank_cd('{PG_WEIGHTS}', d.document, q.q, 1) AS score
            FROM search_document d JOIN cand ON cand.article_id = d.article_id, q
            ORDER BY score DESC, d.article_id DESC LIMIT %s"""
        params = [self.tsquery(parsed), *fparams, min(PG_HEAD_LIMIT, int(limit)), *fparams, int(limit), int(limit)]
        return sql, params

    def title_matches(self, parsed, limit):
        if parsed.is_empty:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT d.article_id FROM search_document d, to_tsquery('simple', %s) q WHERE d.head @@ q "
                "ORDER BY ts_rank_cd(d.head, q) DESC, d.article_id DESC LIMIT %s", [self.tsquery(parsed), int(limit)])
            return [int(row[0]) for row in cursor.fetchall()]

    def optimize(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_document")

    def size_bytes(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('search_document')")
            return int(cursor.fetchone()[0] or 0)


_BACKENDS = {"sqlite": SQLiteFTS5Backend(), "postgresql": PostgresBackend()}


def get_backend() -> Backend:
    """The backend of the default database connection."""
    return _BACKENDS.get(connection.vendor, NullBackend())
