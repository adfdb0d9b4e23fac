"""Search jobs: rebuilding the full-text index, also `miaobi reindex`."""
from huey.contrib.djhuey import db_task


@db_task(retries=1, retry_delay=60)
def reindex_search(article_ids: list[int] | None = None) -> None:
    """Every published article (None), or only these ids (those no longer published are taken out)."""
    from .services import index_articles, reindex_all

    if article_ids is None:
        reindex_all()
    else:
        index_articles(article_ids)
