import os

import pytest

# Keep the font index cache inside the test session, never in the user's home.
@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory):
    old = os.environ.get("SYNTHGEN_CACHE")
    os.environ["SYNTHGEN_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("SYNTHGEN_CACHE", None)
    else:
        os.environ["SYNTHGEN_CACHE"] = old
