"""The two index backends behind one interface, chosen from `connection.vendor`.

Both read the same pre-segmented tokens (search_text, kept by services.py) and answer the same
question: up to `limit` candidate article ids for a parsed query and filters, each with a text score
(higher is better); the service then checks them against the articles and re-ranks them by how much
of the query their titles hold. Work is bounded for every query, however common its words:

* SQLite FTS5: bm25 (title > tags > body > characters) over the newest RANK_WINDOW matches, found
  with a rowid floor inside FTS5, plus the best HEAD_LIMIT title/tag matches of any age from the
  small search_head_fts. Filters are tokens of the `facets` column, inside the MATCH.
* PostgreSQL: `ts_rank_cd` over weights A/B/C/D on a bounded candidate set: up to `limit` matches
  in index order plus the newest PG_HEAD_LIMIT texts whose titles/tags hold every word (`head`).

For a specific query (fewer matches than the window) both rank every match. For a word such as
工作, in nearly every text, neither detoasts or scores 100,000 documents.
`candidates()` runs only SQL: bench/search.py times it as the bare query behind the service.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace

from django.db import connection, transaction

from .query import ParsedQuery, Term

# bm25 weights of the FTS5 columns: title_tokens, tag_tokens, body_tokens, chars, facets. bm25
# saturates term frequency, so these only nudge; the service's re-ranking makes titles count.
FTS_WEIGHTS = (3.0, 2.0, 1.0, 0.3, 0.0)
FTS_TEXT_COLUMNS = "{title_tokens tag_tokens body_tokens chars}"
HEAD_WEIGHTS = (3.0, 1.0, 0.0)
HEAD_TEXT_COLUMNS = "{title_tokens tag_tokens}"
RANK_WINDOW = 2000      # most matching rows bm25 is computed for, per query (the newest ones)
HEAD_LIMIT = 200        # title/tag matches of any age added to them
# ts_rank_cd weights, in PostgreSQL's order {D, C, B, A}: characters, body, tags, title.
PG_WEIGHTS = "{0.02,0.1,0.5,1.0}"
PG_HEAD_LIMIT = 200
PG_RANK_WINDOW = 500    # title matches ranked for typeahead and partial matches


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

    def candidates(self, parsed: ParsedQuery, filters: Filters, limit: int) -> list[tuple[int, float, float]]:
        """[(article id, text score, title score)], best text first: at most `limit`, plus a few title matches.

        text score: the whole text against the query; title score: title and tags against any of
        the query's words (0 when they hold none). Higher is better; only SQL and fetching happen
        here: this is the "bare" query bench/search.py compares the service with.
        """
        raise NotImplementedError

    def title_matches(self, parsed: ParsedQuery, limit: int) -> list[int]:
        """Ids of articles whose title (or tags) hold every required word, best first (typeahead)."""
        return []

    def partial_candidates(self, parsed: ParsedQuery, filters: Filters, limit: int) -> list[tuple[int, float, float]]:
        """Texts whose title or tags hold some of the words (and no excluded one): (id, 0, title score), best first.

        For the few-results case: the title index is small, so this stays cheap even for 工作.
        """
        return []

    def optimize(self) -> None:
        """Tidy the index after a bulk change (merge segments, refresh statistics)."""

    def size_bytes(self) -> int:
        return 0


class NullBackend(Backend):
    """A database without full-text support: nothing is found (and the page says so)."""

    def candidates(self, parsed, filters, limit):
        return []


def _weights(values) -> str:
    return ", ".join(str(float(w)) for w in values)


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

    def match_expression(self, parsed: ParsedQuery, filters: Filters, columns: str = FTS_TEXT_COLUMNS,
                         any_word: bool = False) -> str:
        joiner = " OR " if (parsed.match_any or any_word) else " AND "
        positive = joiner.join(self.term_expr(t) for t in parsed.required)
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

    def _head(self, parsed: ParsedQuery, filters: Filters, any_word: bool) -> str:
        # Exclusions hold for the whole text, so they stay in the main query: title matches that
        # are not main matches are checked against it (_keep_matching).
        return self.match_expression(replace(parsed, excluded=[]), filters, HEAD_TEXT_COLUMNS, any_word)

    @staticmethod
    def _windowed(cursor, table: str, expr: str, weights: str, limit: int) -> tuple[list[tuple[int, float]], bool]:
        """bm25 over the newest RANK_WINDOW matches only (a rowid floor found first, used inside FTS5).

        Returns ([(rowid, score)] best first, whether there were more matches than the window).
        """
        cursor.execute(f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY rowid DESC LIMIT 1 OFFSET %s",
                       [expr, RANK_WINDOW])
        row = cursor.fetchone()
        cursor.execute(f"SELECT rowid, -bm25({table}, {weights}) FROM {table} WHERE {table} MATCH %s AND rowid > %s "
                       f"ORDER BY bm25({table}, {weights}) LIMIT %s", [expr, int(row[0]) if row else 0, int(limit)])
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()], row is not None

    def candidates(self, parsed, filters, limit):
        """Whole-text bm25 over the newest RANK_WINDOW matches, title scores, and the best title matches of any age.

        Why the window: bm25 costs microseconds per matching row, and a word such as 工作 matches
        nearly every text; scoring all of them would cost hundreds of milliseconds at 100,000
        texts. Below RANK_WINDOW matches (every specific query) the ranking is exact; above it,
        texts whose titles hold every word still come in from the small title index.
        """
        if parsed.is_empty:
            return []
        weights, head_weights = _weights(FTS_WEIGHTS), _weights(HEAD_WEIGHTS)
        main = self.match_expression(parsed, filters)
        with connection.cursor() as cursor:
            ranked, more = self._windowed(cursor, "search_fts", main, weights, limit)
            titles = dict(self._windowed(cursor, "search_head_fts", self._head(parsed, filters, any_word=True),
                                         head_weights, RANK_WINDOW)[0])
            extra: list[int] = []
            if more:  # older texts were not scored: bring in those whose titles hold every word
                have = {pk for pk, _ in ranked}
                heads, _ = self._windowed(cursor, "search_head_fts", self._head(parsed, filters, any_word=False),
                                          head_weights, HEAD_LIMIT)
                extra = self._keep_matching(cursor, main, [pk for pk, _ in heads if pk not in have])
        return [(pk, score, titles.get(pk, 0.0)) for pk, score in ranked] + [(pk, 0.0, titles.get(pk, 0.0)) for pk in extra]

    @staticmethod
    def _keep_matching(cursor, expr: str, ids: list[int]) -> list[int]:
        """Those of `ids` that match the main query (exclusions and filters included)."""
        if not ids:
            return []
        cursor.execute(f"SELECT rowid FROM search_fts WHERE search_fts MATCH %s AND rowid IN ({','.join(map(str, ids))})",
                       [expr])
        keep = {int(r[0]) for r in cursor.fetchall()}
        return [pk for pk in ids if pk in keep]

    def partial_candidates(self, parsed, filters, limit):
        if parsed.is_empty:
            return []
        with connection.cursor() as cursor:
            heads, _ = self._windowed(cursor, "search_head_fts", self._head(parsed, filters, any_word=True),
                                      _weights(HEAD_WEIGHTS), limit)
            if parsed.excluded and heads:
                keep = set(self._keep_matching(cursor, self.match_expression(parsed, filters, any_word=True),
                                               [pk for pk, _ in heads]))
                heads = [h for h in heads if h[0] in keep]
        return [(pk, 0.0, score) for pk, score in heads]

    def title_matches(self, parsed, limit):
        if parsed.is_empty:
            return []
        with connection.cursor() as cursor:
            return [pk for pk, _ in self._windowed(cursor, "search_head_fts", self._head(parsed, Filters(), False),
                                                   _weights(HEAD_WEIGHTS), limit)[0]]

    def optimize(self):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cursor.execute("INSERT INTO search_head_fts(search_head_fts) VALUES ('optimize')")

    def size_bytes(self):
        with connection.cursor() as cursor:
            try:
                cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_%'")
                return int(cursor.fetchone()[0] or 0)
            except Exception:  # dbstat is a compile-time option of SQLite
                return 0


@contextmanager
def _pg_cursor():
    """A cursor in a transaction that tells the planner to use the GIN indexes, not scan the table.

    Why: with a LIMIT, the planner likes a sequential scan for a word it thinks is in a few
    percent of texts, and then reads (and detoasts) tens of thousands of rows to find them; the GIN
    index answers `@@` exactly (no weights, no phrases in our queries), so it is never worse here.
    SET LOCAL ends with the transaction.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        yield cursor


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

    def tsquery(self, parsed: ParsedQuery, any_word: bool = False) -> str:
        joiner = " | " if (parsed.match_any or any_word) else " & "
        expr = joiner.join(self.term_expr(t) for t in parsed.required)
        negative = [self.term_expr(t) for t in parsed.excluded if not t.phrase]
        if negative:
            expr = f"({expr}) & !({' | '.join(negative)})"
        return expr

    @staticmethod
    def filter_sql(filters: Filters) -> str:
        sql = ""
        if filters.genre_id is not None:
            sql += " AND m.genre_id = %(genre)s"
        if filters.year is not None:
            sql += " AND m.year = %(year)s"
        if filters.tag_id is not None:
            sql += " AND EXISTS (SELECT 1 FROM library_article_tags t WHERE t.article_id = d.article_id AND t.tag_id = %(tag)s)"
        return sql

    def candidate_sql(self, parsed: ParsedQuery, filters: Filters, limit: int) -> tuple[str, dict]:
        where = self.filter_sql(filters)
        join = " JOIN search_document m ON m.article_id = d.article_id" if (filters.genre_id is not None or filters.year is not None) else ""
        # The tsquery is written out in each branch (not in a CTE) so that the planner sees it and
        # can pick, per branch, a GIN bitmap (rare words) or a walk down the primary key that stops
        # after a few hundred rows (words in half the titles).
        q = "to_tsquery('simple', %(q)s)"
        sql = f"""
            WITH cand AS (
                (SELECT d.article_id FROM search_text d{join} WHERE d.head @@ {q}{where}
                 ORDER BY d.article_id DESC LIMIT %(head_limit)s)
                UNION
                (SELECT d.article_id FROM search_text d{join} WHERE d.document @@ {q}{where} LIMIT %(limit)s)
            )
            SELECT d.article_id, ts_rank_cd('{PG_WEIGHTS}', d.document, {q}, 1) AS score,
                   ts_rank_cd('{PG_WEIGHTS}', d.head, to_tsquery('simple', %(anyq)s)) AS title_score
            FROM search_text d JOIN cand ON cand.article_id = d.article_id
            ORDER BY score DESC, d.article_id DESC"""
        params = {"q": self.tsquery(parsed), "anyq": self.tsquery(parsed, any_word=True), "genre": filters.genre_id,
                  "year": filters.year, "tag": filters.tag_id, "head_limit": PG_HEAD_LIMIT, "limit": int(limit)}
        return sql, params

    def candidates(self, parsed, filters, limit):
        """ts_rank_cd over up to `limit` matches in index order plus the newest PG_HEAD_LIMIT title/tag matches.

        Why: ranking reads each candidate's whole tsvector (detoasted); a word in nearly every text
        must not make a query read 100,000 of them. Below `limit` matches the ranking is exact.
        """
        if parsed.is_empty:
            return []
        sql, params = self.candidate_sql(parsed, filters, limit)
        with _pg_cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(pk), float(score), float(title)) for pk, score, title in cursor.fetchall()]

    def _head_ranked(self, tsquery: str, filters: Filters, limit: int, excluded: str = "") -> list[tuple[int, float]]:
        # Rank PG_RANK_WINDOW title matches at most, taken in index order (no sort: sorting would
        # visit every match): a word in half the titles must not make one keystroke of typeahead,
        # or the partial matches of a rare query, rank 50,000 of them.
        where = self.filter_sql(filters)
        join = " JOIN search_document m ON m.article_id = d.article_id" if (filters.genre_id is not None or filters.year is not None) else ""
        not_excluded = " AND NOT d.document @@ to_tsquery('simple', %(excluded)s)" if excluded else ""
        sql = f"""
            SELECT w.article_id, ts_rank_cd('{PG_WEIGHTS}', w.head, to_tsquery('simple', %(q)s)) AS title_score
            FROM (SELECT d.article_id, d.head FROM search_text d{join}
                  WHERE d.head @@ to_tsquery('simple', %(q)s){where}{not_excluded}
                  LIMIT %(window)s) w
            ORDER BY title_score DESC, w.article_id DESC LIMIT %(limit)s"""
        params = {"q": tsquery, "excluded": excluded, "genre": filters.genre_id, "year": filters.year,
                  "tag": filters.tag_id, "window": PG_RANK_WINDOW, "limit": int(limit)}
        with _pg_cursor() as cursor:
            cursor.execute(sql, params)
            return [(int(pk), float(score)) for pk, score in cursor.fetchall()]

    def partial_candidates(self, parsed, filters, limit):
        if parsed.is_empty:
            return []
        excluded = " | ".join(self.term_expr(t) for t in parsed.excluded if not t.phrase)
        heads = self._head_ranked(self.tsquery(replace(parsed, excluded=[]), any_word=True), filters, limit, excluded)
        return [(pk, 0.0, score) for pk, score in heads]

    def title_matches(self, parsed, limit):
        if parsed.is_empty:
            return []
        return [pk for pk, _ in self._head_ranked(self.tsquery(replace(parsed, excluded=[])), Filters(), limit)]

    def optimize(self):
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE search_text")
            cursor.execute("ANALYZE search_document")

    def size_bytes(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('search_text') + pg_total_relation_size('search_document')")
            return int(cursor.fetchone()[0] or 0)


_BACKENDS = {"sqlite": SQLiteFTS5Backend(), "postgresql": PostgresBackend()}


def get_backend() -> Backend:
    """The backend of the default database connection."""
    return _BACKENDS.get(connection.vendor, NullBackend())
