"""Contact sheets: samples with their char quads (green) and word quads (red), and CRAFT maps, as PNG."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

__all__ = ["draw_sample", "draw_heatmaps", "contact_sheet", "save_contact_sheet"]


def draw_sample(image: np.ndarray, char_quads=None, word_quads=None, *, scale: int = 3, label: str | None = None) -> np.ndarray:
    """An RGB uint8 picture of one sample, magnified ``scale`` times, quads drawn on top."""
    im = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    im = cv2.resize(im, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    for quads, col in ((word_quads, (255, 40, 40)), (char_quads, (40, 230, 40))):
        if quads is None or len(quads) == 0:
            continue
        pts = np.round((np.asarray(quads, np.float32) + 0.5) * scale - 0.5).astype(np.int32)
        cv2.polylines(im, list(pts), True, col, 1, lineType=cv2.LINE_AA)
    if label is not None:
        band = np.full((18, im.shape[1], 3), 255, np.uint8)
        cv2.putText(band, label[:40], (3, 13), cv2.FONT_HERSHEY_SIMPLEX, 0.42, (0, 0, 0), 1, cv2.LINE_AA)
        im = np.vstack([im, band])
    return im


def draw_heatmaps(image: np.ndarray, region: np.ndarray, affinity: np.ndarray, char_quads=None, *, scale: int = 1) -> np.ndarray:
    """An RGB uint8 picture of CRAFT maps over a darkened grey copy of ``image``.

    Region scores are drawn in red-yellow, affinity scores in cyan-blue (both upsampled to the
    image size), char quads as thin green outlines.
    """
    grey = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    base = (grey.astype(np.float32) * 0.35)[..., None].repeat(3, 2)
    r = cv2.resize(np.asarray(region, np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    a = cv2.resize(np.asarray(affinity, np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    if region.dtype == np.uint8:
        r, a = r / 255.0, a / 255.0
    base += r[..., None] * np.array([255, 200, 0], np.float32) * np.clip(1.2 - a, 0, 1)[..., None]
    base += a[..., None] * np.array([0, 170, 255], np.float32)
    im = np.clip(base, 0, 255).astype(np.uint8)
    im = cv2.resize(im, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST) if scale != 1 else im
    if char_quads is not None and len(char_quads):
        pts = np.round((np.asarray(char_quads, np.float32) + 0.5) * scale - 0.5).astype(np.int32)
        cv2.polylines(im, list(pts), True, (40, 200, 40), 1, lineType=cv2.LINE_AA)
    return im


def _tiles(samples, scale: int, heatmaps: bool):
    from .heatmaps import craft_maps, word_ids_from_text

    for s in samples:
        t = draw_sample(s["image"], s.get("char_quads"), s.get("word_quads"), scale=scale, label=s.get("text"))
        if heatmaps:
            img = s["image"]
            region, affinity = s.get("region"), s.get("affinity")
            if region is None:  # no stored maps (word crops): build them from the quads
                region, affinity = craft_maps(s["char_quads"], word_ids_from_text(s["text"]), img.shape[0], img.shape[1])
            hm = draw_heatmaps(img, region, affinity, s.get("char_quads"), scale=scale)
            pad = np.full((t.shape[0] - hm.shape[0], hm.shape[1], 3), 255, np.uint8)
            t = np.hstack([t, np.full((t.shape[0], 4, 3), 255, np.uint8), np.vstack([hm, pad])])
        yield t


def contact_sheet(samples, *, cols: int = 4, scale: int = 3, pad: int = 4, heatmaps: bool = False) -> np.ndarray:
    """Grid of :func:`draw_sample` tiles from dicts with ``image``, ``char_quads``, ``word_quads``, ``text``.

    With ``heatmaps``, each tile gets the CRAFT maps beside it (:func:`draw_heatmaps`): the
    sample's ``region``/``affinity`` when present, else maps built from its quads.
    """
    tiles = list(_tiles(samples, scale, heatmaps))
    if not tiles:
        raise ValueError("No samples to draw.")
    th = max(t.shape[0] for t in tiles)
    tw = max(t.shape[1] for t in tiles)
    rows = (len(tiles) + cols - 1) // cols
    sheet = np.full((rows * (th + pad) + pad, cols * (tw + pad) + pad, 3), 235, np.uint8)
    for k, t in enumerate(tiles):
        r, c = divmod(k, cols)
        y, x = pad + r * (th + pad), pad + c * (tw + pad)
        sheet[y : y + t.shape[0], x : x + t.shape[1]] = t
    return sheet


def save_contact_sheet(samples, path, **kw) -> Path:
    """Write :func:`contact_sheet` to a PNG file."""
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a folder; pass a picture file name, e.g. {str(path / 'sheet.png')!r}.")
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"):
        raise ValueError(f"Cannot write the picture {str(path)!r}: the name must end in .png (or .jpg). "
                         f"Received: {path.name!r}")
    sheet = contact_sheet(samples, **kw)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        ok = cv2.imwrite(str(path), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    except cv2.error:
        ok = False
    if not ok:
        raise ValueError(f"Cannot write the picture {str(path)!r}: use a .png path in a writable folder.")
    return path
