"""Background library: image folders (random crops at random scales) and procedural textures."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .fonts import _asset_dir

__all__ = [
    "IMAGE_SUFFIXES",
    "PROCEDURAL_KINDS",
    "BackgroundLibrary",
    "bundled_backgrounds_dir",
    "procedural_background",
]

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
PROCEDURAL_KINDS = ("flat", "gradient", "noise", "stripes", "checker")
#: Images above this many pixels are refused as decompression bombs.
MAX_PIXELS = 60_000_000
#: Loaded images are downscaled so that their longer side is at most this many pixels.
MAX_SIDE = 640


def bundled_backgrounds_dir() -> Path:
    """The ``backgrounds/`` folder shipped with the project."""
    return _asset_dir("backgrounds")


def _load_image(path: Path, max_pixels: int) -> np.ndarray:
    with Image.open(path) as im:
        w, h = im.size
        if w * h > max_pixels:
            raise ValueError(f"{w}x{h} pixels is over the {max_pixels}-pixel limit (decompression bomb guard)")
        im.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced scale when possible
        rgb = np.asarray(im.convert("RGB"))
    h, w = rgb.shape[:2]
    if min(h, w) < 8:
        raise ValueError(f"{w}x{h} pixels is too small to crop from")
    s = MAX_SIDE / max(h, w)
    if s < 1:
        rgb = cv2.resize(rgb, (max(8, round(w * s)), max(8, round(h * s))), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(rgb)


def procedural_background(kind: str, height: int, width: int, channels: int, rng: np.random.Generator) -> np.ndarray:
    """A procedural background, float32 ``[height, width, channels]`` in 0..255.

    Kinds: ``flat``, ``gradient`` (two colours along a random direction), ``noise`` (smooth
    coloured noise), ``stripes`` and ``checker`` (low-contrast patterns).
    """
    c0 = rng.uniform(0, 255, 3).astype(np.float32)
    if channels == 1:
        c0 = c0[:1]
    if kind == "flat":
        return np.broadcast_to(c0, (height, width, channels)).astype(np.float32)
    if kind == "gradient":
        c1 = np.clip(c0 + rng.uniform(-120, 120, channels), 0, 255).astype(np.float32)
        t = rng.uniform(0, 2 * np.pi)
        xs = np.arange(width, dtype=np.float32)[None, :]
        ys = np.arange(height, dtype=np.float32)[:, None]
        g = xs * np.cos(t) / width + ys * np.sin(t) / height
        g = (g - g.min()) / max(float(np.ptp(g)), 1e-6)
        return c0 + (c1 - c0) * g[..., None]
    if kind == "noise":
        cell = rng.uniform(2, 16)
        small = rng.standard_normal((max(2, int(height / cell)), max(2, int(width / cell)), channels)).astype(np.float32)
        big = cv2.resize(small, (width, height), interpolation=cv2.INTER_CUBIC).reshape(height, width, channels)
        return np.clip(c0 + big * rng.uniform(8, 40), 0, 255)
    if kind in ("stripes", "checker"):
        c1 = np.clip(c0 + rng.choice([-1, 1]) * rng.uniform(15, 50), 0, 255).astype(np.float32)
        period = rng.uniform(4, 24)
        xs = np.arange(width, dtype=np.float32)[None, :]
        ys = np.arange(height, dtype=np.float32)[:, None]
        if kind == "stripes":
            t = rng.uniform(0, np.pi)
            m = (np.sin((xs * np.cos(t) + ys * np.sin(t)) * (2 * np.pi / period)) > 0).astype(np.float32)
        else:
            m = ((np.floor(xs / period) + np.floor(ys / period)) % 2).astype(np.float32)
        return c0 + (c1 - c0) * m[..., None]
    raise ValueError(f"Unknown procedural background kind. Expected one of {PROCEDURAL_KINDS}. Received: kind={kind!r}")


class BackgroundLibrary:
    """Background images from folders plus procedural kinds.

    Args:
        folders: folders scanned recursively for images, in order (may be empty).
        max_pixels: images larger than this are refused (decompression bomb guard).

    Unreadable or oversized images are skipped with a warning naming them. Images are read
    lazily, once per process, and kept in memory downscaled to :data:`MAX_SIDE`.
    """

    def __init__(self, folders=(), *, max_pixels: int = MAX_PIXELS):
        if isinstance(folders, (str, os.PathLike)):
            folders = [folders]
        self.max_pixels = max_pixels
        self.paths: list[Path] = []
        self.names: list[str] = []
        for folder in folders:
            folder = Path(folder)
            if not folder.is_dir():
                raise FileNotFoundError(f"Background folder not found: {str(folder)!r}. Pass an existing folder of images.")
            found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
            if not found:
                raise ValueError(f"Background folder {str(folder)!r} holds no image ({', '.join(IMAGE_SUFFIXES)}).")
            for p in found:
                try:
                    with Image.open(p) as im:
                        w, h = im.size
                    if w * h > max_pixels:
                        raise ValueError(f"{w}x{h} pixels is over the {max_pixels}-pixel limit (decompression bomb guard)")
                except Exception as e:  # any decoder failure means the file is unusable
                    warnings.warn(f"Skipping unreadable background {str(p)!r}: {e}", stacklevel=2)
                    continue
                self.paths.append(p)
                self.names.append(f"{folder.name}/{p.relative_to(folder).as_posix()}")
        self._cache: dict[int, tuple[np.ndarray, np.ndarray] | None] = {}

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_cache"] = {}
        return state

    def __len__(self) -> int:
        return len(self.paths)

    def table(self) -> list[dict]:
        """The background table written into shards: images first, then procedural kinds."""
        rows = [{"id": i, "name": n} for i, n in enumerate(self.names)]
        rows += [{"id": len(self.names) + k, "name": f"procedural:{kind}"} for k, kind in enumerate(PROCEDURAL_KINDS)]
        return rows

    def procedural_id(self, kind: str) -> int:
        return len(self.names) + PROCEDURAL_KINDS.index(kind)

    def image(self, i: int, channels: int) -> np.ndarray | None:
        """Image ``i`` as uint8 ``[h, w, 3]`` or ``[h, w]``; ``None`` if it failed to decode."""
        if i not in self._cache:
            try:
                rgb = _load_image(self.paths[i], self.max_pixels)
                self._cache[i] = (rgb, cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
            except Exception as e:  # decoded fine at scan time but not now: skip it from here on
                warnings.warn(f"Skipping unreadable background {str(self.paths[i])!r}: {e}", stacklevel=2)
                self._cache[i] = None
        entry = self._cache[i]
        if entry is None:
            return None
        return entry[0] if channels == 3 else entry[1]

    def crop(self, i: int, height: int, width: int, channels: int, rng: np.random.Generator, scale_range=(0.5, 2.0)):
        """A random crop of image ``i`` at a random scale, float32 ``[height, width, channels]``; ``None`` if unusable."""
        img = self.image(i, channels)
        if img is None:
            return None
        ih, iw = img.shape[:2]
        # source pixels per output pixel; never ask for more than the image holds
        s = rng.uniform(*scale_range)
        s = min(s, (iw - 1) / width, (ih - 1) / height)
        x0 = rng.uniform(0, max(iw - width * s, 0))
        y0 = rng.uniform(0, max(ih - height * s, 0))
        flip = rng.random() < 0.5
        a = np.array([[s * (-1 if flip else 1), 0, x0 + (width * s if flip else 0)], [0, s, y0]], np.float32)
        out = cv2.warpAffine(
            img, a, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT
        )
        return out.reshape(height, width, channels).astype(np.float32)
