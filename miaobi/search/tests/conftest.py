import pytest


@pytest.fixture(autouse=True)
def generous_search_rate(settings):
    """The test client is one IP for every test: a high limit, except where a test sets its own."""
    settings.MIAOBI_SEARCH_RATE = "10000/m"
