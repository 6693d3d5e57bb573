import cv2
import numpy as np
import pytest

from synthgen.effects import fit_box, to_grey


@pytest.mark.parametrize("shape", [(10, 40), (12, 300, 3), (40, 60)])
def test_fit_box_matrix_follows_the_pixels(shape):
    img = np.full(shape, 30, np.uint8)
    h, w = shape[:2]
    pts = [(2, 2), (w - 3, h // 2), (w // 2, h - 3)]
    for x, y in pts:
        img[y - 1 : y + 2, x - 1 : x + 2] = 250
    out, a = fit_box(img, 32, 128)
    assert out.shape == (32, 128) + shape[2:] and out[0, 0].tolist() == img[0, 0].tolist()
    grey = out if out.ndim == 2 else out[..., 0]
    for x, y in pts:
        u, v = a @ (x, y, 1)
        r = max(1, int(round(a[0, 0])))  # look within one source pixel
        win = grey[int(round(v)) - r : int(round(v)) + r + 1, int(round(u)) - r : int(round(u)) + r + 1]
        assert win.max() > 90, (shape, (x, y), (u, v))  # the spot (250 on 30), averaged down when shrunk
    s = a[1, 1]
    assert abs(h * s - 24) < 1 or abs(w * a[0, 0] - 126) < 1


def _word(fg, bg, shape=(20, 60)):
    img = np.zeros(shape + (3,), np.uint8)
    img[:] = bg
    cv2.putText(img, "ab", (5, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.6, tuple(int(c) for c in fg), 2)
    return img


def test_to_grey_keeps_hue_only_contrast():
    red_on_blue = _word((200, 30, 30), (30, 60, 200))  # lumas 81 and 67
    luma = cv2.cvtColor(red_on_blue, cv2.COLOR_RGB2GRAY)
    g = to_grey(red_on_blue)
    ink = (red_on_blue[..., 0] > 100)
    assert abs(float(luma[ink].mean()) - float(luma[~ink].mean())) < 20
    assert float(g[ink].mean()) - float(g[~ink].mean()) > 60  # the redder text stays the lighter one
    assert abs(float(g.mean()) - float(luma.mean())) < 3  # centred on the crop's luma


@pytest.mark.parametrize("fg, bg", [((0, 0, 0), (255, 255, 255)), ((250, 250, 40), (20, 20, 120)), ((90, 90, 90), (140, 140, 140))])
def test_to_grey_is_luma_when_luma_carries_the_contrast(fg, bg):
    img = _word(fg, bg)
    rng = np.random.default_rng(0)
    img = np.clip(img + rng.normal(0, 3, img.shape), 0, 255).astype(np.uint8)
    assert np.array_equal(to_grey(img), cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))
    flat = np.full((4, 4, 3), 77, np.uint8)
    assert np.array_equal(to_grey(flat), np.full((4, 4), 77, np.uint8))


def _to_grey_textbook(rgb, min_luma_share=0.75):
    """to_grey with the colour statistics of np.cov's formula, for comparison."""
    luma = np.array([0.299, 0.587, 0.114])
    x = rgb.reshape(-1, 3).astype(np.float64)
    mu = x.mean(0)
    xc = x - mu
    cov = (xc.T @ xc) / (len(x) - 1) if len(x) > 1 else np.zeros((3, 3))
    w, v = np.linalg.eigh(cov)
    unit = luma / np.linalg.norm(luma)
    if w[-1] <= 1e-9 or np.sqrt(max(unit @ cov @ unit, 0.0)) >= min_luma_share * np.sqrt(w[-1]):
        return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    axis = v[:, -1] if v[:, -1] @ luma >= 0 else -v[:, -1]
    return np.clip(xc @ axis * np.linalg.norm(luma) + mu @ luma + 0.5, 0, 255).astype(np.uint8).reshape(rgb.shape[:2])


def test_to_grey_gives_what_the_textbook_statistics_give():
    rng = np.random.default_rng(1)
    crops = [np.zeros((1, 1, 3), np.uint8), np.full((1, 6, 3), 40, np.uint8), np.full((5, 7, 3), 9, np.uint8)]
    for _ in range(150):  # hue-only words (the projection) and noise of every sort (either branch)
        fg, bg = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        word = _word(fg, bg)
        crops.append(np.clip(word + rng.normal(0, rng.uniform(0, 20), word.shape), 0, 255).astype(np.uint8))
        crops.append(rng.integers(0, 256, (rng.integers(1, 50), rng.integers(1, 120), 3), dtype=np.uint8))
    kinds = set()
    for img in crops:
        want = _to_grey_textbook(img)
        assert np.array_equal(to_grey(img), want), img.shape
        kinds.add(np.array_equal(want, cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)))
    assert kinds == {True, False}  # both the luma and the projection were compared
