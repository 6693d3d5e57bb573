import cv2
import numpy as np
import pytest
from PIL import Image

from synthgen.backgrounds import PROCEDURAL_KINDS, BackgroundLibrary, bundled_backgrounds_dir, procedural_background


def test_bundled_backgrounds():
    lib = BackgroundLibrary(bundled_backgrounds_dir())
    assert len(lib) >= 30
    assert (bundled_backgrounds_dir() / "LICENSE").exists()
    rng = np.random.default_rng(0)
    crop = lib.crop(0, 32, 128, 3, rng)
    assert crop.shape == (32, 128, 3) and crop.dtype == np.float32 and crop.std() > 0


@pytest.mark.parametrize("kind", PROCEDURAL_KINDS)
@pytest.mark.parametrize("channels", [1, 3])
def test_procedural(kind, channels):
    a = procedural_background(kind, 32, 128, channels, np.random.default_rng(3))
    b = procedural_background(kind, 32, 128, channels, np.random.default_rng(3))
    assert a.shape == (32, 128, channels) and np.array_equal(a, b)
    assert a.min() >= 0 and a.max() <= 255
    if kind != "flat":
        assert a.std() > 0


def test_bad_images_are_skipped_with_a_warning(tmp_path):
    cv2.imwrite(str(tmp_path / "good.png"), np.full((40, 40, 3), 128, np.uint8))
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8 not really")
    Image.new("L", (3000, 3000)).save(tmp_path / "huge.png")
    with pytest.warns(UserWarning) as w:
        lib = BackgroundLibrary(tmp_path, max_pixels=5_000_000)
    msgs = " ".join(str(x.message) for x in w)
    assert "broken.jpg" in msgs and "huge.png" in msgs and "decompression bomb" in msgs
    assert lib.names == [f"{tmp_path.name}/good.png"]


def test_empty_background_folder_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="holds no image"):
        BackgroundLibrary(tmp_path)
    with pytest.raises(FileNotFoundError, match="not found"):
        BackgroundLibrary(tmp_path / "nope")
