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


# Recognizers load in float32 on every CPU (``compute_dtype="auto"`` would pick bfloat16 on CPUs that have it), so
# the readings the tests assert do not depend on the machine; test_recognizer checks what "auto" picks.
@pytest.fixture(autouse=True, scope="session")
def _float32_recognizers():
    import ocrmodels.recognizer as recognizer

    native = recognizer.native_bfloat16

    def never():
        return False

    never.real = native
    recognizer.native_bfloat16 = never
    yield
    recognizer.native_bfloat16 = native


@pytest.fixture(scope="session")
def words(tmp_path_factory):
    """A small word dataset, read-only for the tests: 3 train shards of 40 crops, and val/ with 20."""
    from synthgen import generate

    d = tmp_path_factory.mktemp("words")
    generate(d, 120, shard_size=40, progress=False, seed=3)
    generate(d / "val", 20, shard_size=20, split="val", progress=False, seed=4)
    return d
