class ArticleIdConverter:
    """Article ids: digits that fit a 64-bit integer, so absurd ids are a 404, not a database error."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))
