import pytest


@pytest.fixture(autouse=True)
def own_media_root(settings, tmp_path):
    """Uploads staged in the test's own folder: test processes running at once get the same batch ids."""
    settings.MEDIA_ROOT = tmp_path / "media"
