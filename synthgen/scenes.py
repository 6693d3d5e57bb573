"""Scenes: product-like images holding several text blocks, for text detection.

A scene is a background (image crop or procedural) with text blocks laid out as on
packaging: title lines from the catalog, a brand, and info lines (quantity, price, dates,
lot numbers). Each block has one font, size and colour and one geometry: horizontal,
rotated, turned by 90 degrees, on a box face seen at an angle (perspective) or curved as on
a bottle (an arc baseline per line). Blocks never overlap: each is placed at the free
candidate position whose background is smoothest (least gradient energy, as SynthText
chooses regions). Text colour is chosen by contrast with the background under it.

Every word has its char quads and a word quad in canvas pixels; the CRAFT region and
affinity maps (:func:`synthgen.heatmaps.craft_maps`) are built from the char quads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from . import effects as fx
from .backgrounds import BackgroundLibrary
from .charset import normalize_text
from .distractors import DISTRACTOR_KINDS, bundled_photos_dir, draw_distractor, plate_mask
from .fonts import NoFontCoversText
from .generator import SampleRejected, _GeneratorBase, _resolve_folders, decode_image, encode_image
from .geometry import scale_matrix, transform_quads, translation_matrix
from .heatmaps import craft_maps
from .render import render_text

__all__ = ["Scene", "SceneGenerator", "SCENE_PARAM_FIELDS", "BLOCK_KINDS", "info_line", "info_text"]

#: Per-scene parameters stored with every scene (float32 each).
SCENE_PARAM_FIELDS = (
    "blocks", "words", "chars", "rotated_blocks", "perspective_blocks", "curved_blocks", "min_text_height",
    "max_text_height", "brightness", "contrast", "blur_sigma", "noise_sigma", "jpeg_quality", "attempt",
    "distractors", "plated_blocks", "outlined_blocks",
)
BLOCK_KINDS = ("title", "brand", "info")
_CELL = 4  # occupancy / smoothness grid, canvas pixels per cell


@dataclass
class Scene:
    """One generated scene.

    Attributes:
        image: uint8 ``[H, W, 3]`` RGB; exactly what the shard stores.
        text: the words in reading order (block by block), joined by single spaces;
            ``text.split(" ")`` lines up with ``word_quads``.
        char_quads: float32 ``[n, 4, 2]``, every character of every word, in word order.
        word_quads: float32 ``[m, 4, 2]``.
        word_fonts, word_blocks: int16 ``[m]``: font id and block number of each word.
        background: background id in the generator's background table.
        params: per-scene parameters keyed by :data:`SCENE_PARAM_FIELDS`.
        region, affinity: uint8 ``[H * s, W * s]`` CRAFT maps (0..255), or ``None``.
        rejects: block candidates rejected while making this scene, by reason.
        attributes: the product attributes its info blocks state (:func:`info_line`), each with its
            ``line`` (as drawn) and ``block`` (number of the block within the scene).
    """

    pixels: np.ndarray = field(repr=False)
    text: str
    char_quads: np.ndarray
    word_quads: np.ndarray
    word_fonts: np.ndarray
    word_blocks: np.ndarray
    background: int
    params: dict
    encoded: bytes | None = None
    region: np.ndarray | None = field(default=None, repr=False)
    affinity: np.ndarray | None = field(default=None, repr=False)
    rejects: dict = field(default_factory=dict)
    debug: dict = field(default_factory=dict, repr=False)
    lossy: bool = False
    attributes: list = field(default_factory=list)

    @property
    def image(self) -> np.ndarray:
        if self.lossy:
            self.pixels = decode_image(self.encoded, 3)
            self.lossy = False
        return self.pixels

    @property
    def words(self) -> list[str]:
        return self.text.split(" ") if self.text else []

    @property
    def word_ids(self) -> np.ndarray:
        """Word index of every char quad."""
        return np.repeat(np.arange(len(self.words), dtype=np.int32), [len(w) for w in self.words])


_UNITS = ("ml", "mL", "L", "l", "g", "kg", "oz", "fl oz", "lb", "lbs", "ct", "pcs", "pack", "cm", "mm", "W", "mAh", "GB")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


# canonical unit of each _UNITS spelling for the recorded attributes (None: not a net quantity)
_UNIT_OF = {"ml": "ml", "mL": "ml", "L": "l", "l": "l", "g": "g", "kg": "kg", "oz": "oz", "fl oz": "fl oz", "lb": "lb",
            "lbs": "lb", "ct": "ct", "pcs": "ct", "pack": "ct", "cm": "cm", "mm": "mm", "W": None, "mAh": None, "GB": None}
_CLAIM_LINES = (("NEW!", [("claim", "new")]), ("SALE", [("claim", "sale")]), ("20% OFF", [("percentage", 20.0)]),
                ("100% NATURAL", [("percentage", 100.0), ("claim", "natural")]), ("GLUTEN FREE", [("claim", "gluten free")]),
                ("Organic", [("claim", "organic")]), ("2 for 1", [("claim", "2 for 1")]),
                ("Limited Edition", [("claim", "limited edition")]), ("BPA free", [("claim", "bpa free")]),
                ("Made in USA", [("claim", "made in usa")]), ("Keep refrigerated", []), ("Shake well", []))
_DATE_KIND = {"EXP": "expiry", "BEST BEFORE": "best_before", "BB": "best_before", "USE BY": "use_by", "Exp.": "expiry"}


def info_line(rng: np.random.Generator) -> tuple[str, list[dict]]:
    """One line of packaging info (a quantity, price, date, lot number or claim) and the product
    attributes it states, as ``ocrmodels.extract_attributes`` names them: ``{"kind": "quantity",
    "value", "unit", "count"}``, ``{"kind": "price", "value", "currency"}``, ``{"kind": "date",
    "date" (ISO), "date_kind"}``, ``{"kind": "lot", "code"}``, ``{"kind": "percentage", "value"}``,
    ``{"kind": "claim", "claim"}``; an empty list for lines that state none (a phone number, a code)."""
    k = int(rng.integers(10))
    if k == 0:
        n = rng.choice([int(rng.integers(1, 1000)), round(float(rng.uniform(0.1, 5)), 1)])
        spelled = _UNITS[rng.integers(len(_UNITS))]
        unit = _UNIT_OF[spelled]
        if unit == "ct" and float(n) != int(n):
            unit = None  # "3.1 pack" states no count
        attrs = [] if unit is None else [{"kind": "quantity", "value": float(f"{n:g}"), "unit": unit, "count": 1}]
        return f"{n:g} {spelled}", attrs
    if k == 1:
        oz = int(rng.integers(1, 64))
        g = round(oz * 28.35)
        return f"NET WT {oz} OZ ({g}g)", [{"kind": "quantity", "value": float(oz), "unit": "oz", "count": 1},
                                          {"kind": "quantity", "value": float(g), "unit": "g", "count": 1}]
    if k == 2:
        cur = ("$", "USD ", "EUR ", "")[rng.integers(4)]
        whole, cents = int(rng.integers(0, 200)), int(rng.integers(0, 100))
        attrs = [{"kind": "price", "value": float(f"{whole}.{cents:02d}"), "currency": {"$": "USD", "USD ": "USD",
                                                                                          "EUR ": "EUR"}[cur]}] if cur else []
        return f"{cur}{whole}.{cents:02d}", attrs
    if k == 3:
        m, y = int(rng.integers(1, 13)), int(rng.integers(2024, 2032))
        pre = ("EXP", "BEST BEFORE", "BB", "USE BY", "Exp.")[rng.integers(5)]
        fmt = int(rng.integers(3))
        if fmt == 0:
            date, iso = f"{m:02d}/{y}", f"{y:04d}-{m:02d}"
        else:
            d = int(rng.integers(1, 29))
            date = f"{d:02d}.{m:02d}.{y}" if fmt == 1 else f"{d} {_MONTHS[m - 1]} {y}"
            iso = f"{y:04d}-{m:02d}-{d:02d}"
        return f"{pre} {date}", [{"kind": "date", "date": iso, "date_kind": _DATE_KIND[pre]}]
    if k == 4:
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        code = "".join(letters[rng.integers(len(letters))] if rng.random() < 0.3 else str(rng.integers(10)) for _ in range(rng.integers(4, 9)))
        word = ("LOT", "BATCH", "REF", "SKU")[rng.integers(4)]
        return f"{word} {code}", ([{"kind": "lot", "code": code}] if word in ("LOT", "BATCH") else [])
    if k == 5:
        text, facts = _CLAIM_LINES[rng.integers(len(_CLAIM_LINES))]
        return text, [{"kind": kind, "value": v} if kind == "percentage" else {"kind": kind, "claim": v}
                      for kind, v in facts]
    if k == 6:
        n, v, u = int(rng.integers(1, 48)), int(rng.integers(5, 500)), ("g", "ml", "oz")[rng.integers(3)]
        return f"{n} x {v} {u}", [{"kind": "quantity", "value": float(v), "unit": u, "count": n}]
    if k == 7:
        p, about = int(rng.integers(5, 95)), ("less sugar", "more", "recycled", "cocoa", "juice")[rng.integers(5)]
        attrs = [{"kind": "percentage", "value": float(p)}]
        if about == "recycled":
            attrs.append({"kind": "claim", "claim": "recycled"})
        return f"{p}% {about}", attrs
    if k == 9:  # a single character or two: sizes, keys, grades, tabs
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return "".join(chars[i] for i in rng.integers(len(chars), size=int(rng.integers(1, 3)))), []
    return f"{rng.integers(100, 1000)}-{rng.integers(1000, 10000)}", []


def info_text(rng: np.random.Generator) -> str:
    """One line of packaging info (the text of :func:`info_line`)."""
    return info_line(rng)[0]


class SceneGenerator(_GeneratorBase):
    """Makes scenes from a resolved scene config (see :mod:`synthgen.config`, options marked *scenes*).

    Args:
        config: option overrides (a dict); unknown keys, word-only options or bad values raise ``ValueError``.
        titles: catalog titles to use instead of the ``catalog`` option.
    """

    kind = "scenes"
    _never_accepted = ("no text block fits. Check that the fonts cover the catalog text and that text_size fits "
                       "canvas_height/canvas_width.")

    def __init__(self, config: dict | None = None, *, titles: list[str] | None = None):
        super().__init__(config, titles=titles, kind="scenes")
        cfg = self.config
        self.channels = 3
        self.height, self.width = cfg["canvas_height"], cfg["canvas_width"]
        grid, v = set(), 5.0
        while v < 400:
            grid.add(int(round(v)))
            v *= 1.1
        self._size_grid = np.array(sorted(grid))
        self._log_grid = np.log(self._size_grid)
        self._block_cum = np.cumsum(cfg["block_weights"])
        self._distractor_cum = np.cumsum(cfg["distractor_weights"])
        uses_photos = cfg["distractors"][1] > 0 and cfg["distractor_weights"][DISTRACTOR_KINDS.index("photo")] > 0
        self.photos = BackgroundLibrary(_resolve_folders(cfg["photos"], bundled_photos_dir()) if uses_photos else [])
        # title token lists (the vocabulary policy applied per token, as for words)
        self._titles = []
        for t in self._raw_titles:
            toks = [self.charset.apply_policy(tok, cfg["oov_policy"]) for tok in normalize_text(t).split(" ") if tok]
            toks = [w for w in toks if w and len(w) <= cfg["max_length"]]
            if toks:
                self._titles.append(toks)
        self._raw_titles = None
        self._upper_ok = all(c.upper() in self.charset for c in "abcdefghijklmnopqrstuvwxyz")

    @property
    def image_shape(self) -> tuple:
        return (self.height, self.width, 3)

    @property
    def map_shape(self) -> tuple | None:
        if not self.config["maps"]:
            return None
        s = self.config["map_scale"]
        return (max(1, int(round(self.height * s))), max(1, int(round(self.width * s))))

    # ------------------------------------------------------------------ text of a block
    def _case(self, text: str, rng) -> str:
        r = rng.random()
        if self._upper_ok and r < 0.3:
            return text.upper()
        return text

    def _filter(self, line: str) -> str:
        return " ".join(w for w in line.split(" ") if w and not self.charset.missing(w))

    def _block_lines(self, kind: str, rng) -> tuple[list[str], list[dict]]:
        """The block's lines, and the product attributes they state (info blocks; see :func:`info_line`)."""
        if kind == "title":
            toks = self._titles[rng.integers(len(self._titles))]
            n_lines = int(rng.integers(self.config["title_lines"][0], self.config["title_lines"][1] + 1))
            per_line = rng.uniform(8, 30)
            i = int(rng.integers(0, max(1, len(toks) - 1)))
            lines, cur = [], []
            while i < len(toks) and len(lines) < n_lines:
                cur.append(toks[i])
                i += 1
                if len(" ".join(cur)) >= per_line:
                    lines.append(" ".join(cur))
                    cur = []
            if cur and len(lines) < n_lines:
                lines.append(" ".join(cur))
            return [self._case(ln, rng) for ln in lines], []
        if kind == "brand":
            w = self.text.sample(rng)
            r = rng.random()
            if self._upper_ok and r < 0.5:
                w = w.upper()
            return [w], []
        lines, attrs = [], []
        for _ in range(1 if rng.random() < 0.7 else 2):
            text, facts = info_line(rng)
            kept = self._filter(text)
            if kept:
                lines.append(kept)
                attrs += [{**a, "line": kept} for a in facts] if kept == text else []  # a changed line states other facts
        return lines, attrs

    # ------------------------------------------------------------------ one block
    def _make_block(self, kind: str, rng, occ, energy_ii, canvas, dbg):
        """Render, place and draw one block; returns its words, or raises SampleRejected."""
        cfg = self.config
        H, W = self.height, self.width
        lines, facts = self._block_lines(kind, rng)
        if not lines:
            raise SampleRejected("block_no_text", kind)
        font_id = self.fonts.pick(" ".join(lines), rng)
        asc, desc = float(self.fonts.ascent[font_id]), float(self.fonts.descent[font_id])
        line100 = asc + desc
        spacing_frac = rng.uniform(*cfg["char_spacing"])
        widths100 = []
        for ln in lines:
            ids = self.charset.indices(ln)
            widths100.append(float(self.fonts.advance[font_id, ids].sum()) + 100 * spacing_frac * max(len(ln) - 1, 0)
                             + 28.0 * ln.count(" "))
        lo, hi = cfg["text_size"]
        if kind == "brand":
            hi *= 1.8
        elif kind == "info":
            hi = max(lo, hi * 0.6)
        h_disp = float(np.exp(rng.uniform(np.log(lo), np.log(hi))))
        line_gap = rng.uniform(*cfg["line_spacing"])

        # geometry
        rotation, persp, curve_frac = 0.0, None, 0.0
        if rng.random() < cfg["vertical_prob"]:
            rotation = float(rng.choice([-90.0, 90.0]) + rng.uniform(-3, 3))
        elif rng.random() < cfg["block_rotation_prob"]:
            rotation = float(rng.uniform(*cfg["block_rotation"]))
        if rng.random() < cfg["box_perspective_prob"]:
            persp = _box_face(rng.uniform(*cfg["box_perspective"]), rng)
        if rng.random() < cfg["bottle_curve_prob"]:
            curve_frac = float(rng.uniform(*cfg["bottle_curve"]) * rng.choice([-1.0, 1.0]))

        # largest size that fits: the longest line across (or along, when vertical) the canvas
        along = H if abs(abs(rotation) - 90) < 45 else W
        across = W if along == H else H
        rows = 1 + line_gap * (len(lines) - 1)
        fit = min(0.92 * along * line100 / max(max(widths100), 1.0), 0.92 * across / rows)
        if fit < lo * 0.999:
            raise SampleRejected("block_does_not_fit", f"{kind} {lines!r}")
        h_disp = min(h_disp, fit)
        want = np.log(max(h_disp * 100.0 / line100, 1.0))
        size = int(self._size_grid[np.abs(self._log_grid - want).argmin()])
        spacing = spacing_frac * size

        # render the lines and stack them in block space
        layers = []
        for ln, w100 in zip(lines, widths100):
            curve = None
            if curve_frac and len(ln) > 2:
                curve = ("arc", curve_frac * w100 * size / 100.0)
            layers.append(render_text(ln, font_id, size, self._glyphs, spacing=spacing, curve=curve))
        lh = float(layers[0].line_box[3, 1] - layers[0].line_box[0, 1])
        lw = [float(L.line_box[1, 0] - L.line_box[0, 0]) for L in layers]
        align = int(rng.integers(3))  # left, centre, right
        offs = []
        for i, L in enumerate(layers):
            ax = 0.0 if align == 0 else (max(lw) - lw[i]) * (0.5 if align == 1 else 1.0)
            offs.append((int(round(ax - L.line_box[0, 0])), int(round(i * line_gap * lh - L.line_box[0, 1]))))
        ox = min(o[0] for o in offs)
        oy = min(o[1] for o in offs)
        bw = max(o[0] - ox + L.alpha.shape[1] for o, L in zip(offs, layers))
        bh = max(o[1] - oy + L.alpha.shape[0] for o, L in zip(offs, layers))
        alpha = np.zeros((bh, bw), np.uint8)
        quads, words, wboxes = [], [], []
        for (dx, dy), L, ln in zip(offs, layers, lines):
            dx, dy = dx - ox, dy - oy
            sub = alpha[dy : dy + L.alpha.shape[0], dx : dx + L.alpha.shape[1]]
            np.maximum(sub, L.alpha, out=sub)
            q = L.char_quads + np.array([dx, dy], np.float32)
            quads.append(q)
            for (s, e), w in zip(L.word_spans, ln.split(" ")):
                wboxes.append(_word_box(q[s : e + 1]))
                words.append(w)
        quads = np.concatenate(quads)
        wboxes = np.array(wboxes, np.float32)
        if len(quads) == 0:
            raise SampleRejected("block_no_text", kind)

        # one matrix: distortion about the block centre, scale to the display size, place
        full = np.array([[-0.5, -0.5], [bw - 0.5, -0.5], [bw - 0.5, bh - 0.5], [-0.5, bh - 0.5]], np.float32)
        d = scale_matrix(h_disp / max(lh, 1.0)) @ fx.distortion_matrix(full, rotation=rotation, perspective=persp)
        plate = None
        if rng.random() < cfg["plate_prob"]:  # padding in block pixels (the footprint below includes it)
            to_block = lh / max(h_disp, 1e-6)
            px, py = rng.uniform(0.3, 1.0) * h_disp * to_block, rng.uniform(0.2, 0.6) * h_disp * to_block
            plate = full + np.array([[-px, -py], [px, -py], [px, py], [-px, py]], np.float32)
        pts = transform_quads(np.concatenate([full, quads.reshape(-1, 2), wboxes.reshape(-1, 2)]
                                             + ([plate] if plate is not None else [])), d)
        pmin = pts.min(0)
        rel = pts - pmin  # block points relative to their bounding box corner
        ext = rel.max(0)
        nx, ny = int(np.floor((W - ext[0]) / _CELL)), int(np.floor((H - ext[1]) / _CELL))
        if nx < 0 or ny < 0:
            raise SampleRejected("block_does_not_fit", f"{kind} {lines!r}")

        # footprint on the cell grid: the hull of the block (conservative), and with the gap around it
        hull = cv2.convexHull(rel[4:].astype(np.float32)).reshape(-1, 2)
        fh, fw = int(np.ceil(ext[1] / _CELL)) + 2, int(np.ceil(ext[0] / _CELL)) + 2
        foot = np.zeros((fh, fw), np.uint8)
        cv2.fillConvexPoly(foot, np.round(hull / _CELL * 16).astype(np.int32), 1, lineType=cv2.LINE_8, shift=4)
        foot = cv2.dilate(foot, np.ones((3, 3), np.uint8))
        g = int(np.ceil(cfg["block_gap"] * h_disp / _CELL))
        gapped = cv2.copyMakeBorder(foot, g, g, g, g, cv2.BORDER_CONSTANT, value=0)
        if g:
            gapped = cv2.dilate(gapped, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * g + 1, 2 * g + 1)))
        best, best_e = None, np.inf
        gh, gw = occ.shape
        for _ in range(cfg["placement_tries"]):
            cx, cy = int(rng.integers(0, nx + 1)), int(rng.integers(0, ny + 1))
            y0, x0 = cy - g, cx - g
            ys, xs = max(y0, 0), max(x0, 0)
            ye, xe = min(y0 + gapped.shape[0], gh), min(x0 + gapped.shape[1], gw)
            if (occ[ys:ye, xs:xe] & gapped[ys - y0 : ye - y0, xs - x0 : xe - x0]).any():
                continue
            e1y, e1x = min(cy + fh, gh), min(cx + fw, gw)
            area = max((e1y - cy) * (e1x - cx), 1)
            e = (energy_ii[e1y, e1x] - energy_ii[cy, e1x] - energy_ii[e1y, cx] + energy_ii[cy, cx]) / area
            if e < best_e:
                best, best_e = (cx, cy), e
        if best is None:
            raise SampleRejected("block_no_room", f"{kind} {lines!r}")
        cx, cy = best
        # mark the block's own footprint (not the gap): later blocks keep their gap from it
        ye, xe = min(cy + fh, gh), min(cx + fw, gw)
        occ[cy:ye, cx:xe] |= foot[: ye - cy, : xe - cx]

        origin = np.array([cx * _CELL - 0.5, cy * _CELL - 0.5])
        m = translation_matrix(*(origin - pmin)) @ d
        cq = transform_quads(quads, m)
        wq = transform_quads(wboxes, m)
        lim = np.array([W - 0.5, H - 0.5], np.float32)
        for q in (cq, wq):
            if (q < -0.5 - 1e-2).any() or (q > lim + 1e-2).any():  # never expected: placement keeps blocks inside
                raise SampleRejected("block_outside_canvas", f"{kind} {lines!r}")
            np.clip(q, -0.5, lim, out=q)

        if plate is not None:  # the plate first: the text colour is then chosen against it
            poly = transform_quads(plate, m)
            px0, py0, pm = plate_mask(poly, H, W, radius=rng.uniform(0, 0.8) * h_disp)
            pc = rng.uniform(0, 255, 3).astype(np.float32)
            if pm.size:
                proi = canvas[py0 : py0 + pm.shape[0], px0 : px0 + pm.shape[1]]
                proi[...] = fx.blend(proi, pm, pc)
        outline = rng.random() < cfg["outline_prob"]
        ow = max(1, int(round(rng.uniform(0.04, 0.1) * h_disp))) if outline else 0

        # draw into the region of interest only
        allp = transform_quads(full, m)
        rx0, ry0 = np.maximum(np.floor(np.minimum(allp.min(0), cq.reshape(-1, 2).min(0))).astype(int) - 1 - ow, 0)
        rx1, ry1 = np.minimum(np.ceil(np.maximum(allp.max(0), cq.reshape(-1, 2).max(0))).astype(int) + 2 + ow, (W, H))
        roi_m = translation_matrix(-rx0, -ry0) @ m
        a = fx.warp_layer(alpha, roi_m, rx1 - rx0, ry1 - ry0).astype(np.float32) * np.float32(1 / 255)
        roi = canvas[ry0:ry1, rx0:rx1]
        wsum = float(a.sum())
        if wsum < 1.0:
            raise SampleRejected("block_no_ink", f"{kind} {lines!r}")
        bg_mean = a.reshape(1, -1) @ roi.reshape(-1, 3) / wsum
        bg_lum = float(fx.relative_luminance(bg_mean[0]))
        color = fx.pick_text_color(bg_lum, cfg["min_contrast"], rng)
        out = roi
        if rng.random() < cfg["shadow_prob"]:
            dx, dy = rng.uniform(*cfg["shadow_offset"], 2) * rng.choice([-1.0, 1.0], 2)
            sh = cv2.warpAffine(a, np.float32([[1, 0, dx], [0, 1, dy]]), (a.shape[1], a.shape[0]))
            sb = rng.uniform(*cfg["shadow_blur"])
            if sb > 0.05:
                sh = cv2.GaussianBlur(sh, (0, 0), sb)
            text_lum = float(fx.relative_luminance(color))
            scol = np.zeros(3) if text_lum > 0.3 else np.full(3, 255.0 if bg_lum < 0.2 else 0.0)
            out = fx.blend(out, sh * rng.uniform(*cfg["shadow_opacity"]), scol)
        if outline:  # display lettering: an outline of another colour, filled or hollow
            ring = cv2.dilate(a, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * ow + 1, 2 * ow + 1)))
            if rng.random() < 0.5:
                out = fx.blend(out, np.clip(ring - a, 0, 1), color)  # hollow: the ground shows inside
                canvas[ry0:ry1, rx0:rx1] = out
            else:
                fill = fx.pick_text_color(float(fx.relative_luminance(color)), cfg["min_contrast"], rng)
                canvas[ry0:ry1, rx0:rx1] = fx.blend(fx.blend(out, ring, color), a, fill)
        else:
            canvas[ry0:ry1, rx0:rx1] = fx.blend(out, a, color)
        if dbg is not None:
            dbg.setdefault("blocks", []).append({
                "kind": kind, "lines": lines,
                "hull": transform_quads(np.concatenate([quads.reshape(-1, 2), wboxes.reshape(-1, 2)]
                                                       + ([plate] if plate is not None else [])), m),
                "plate": None if plate is None else transform_quads(plate, m), "outline": ow,
                "roi": (rx0, ry0, rx1, ry1), "alpha": a, "matrix": m, "font": font_id,
            })
        return (words, cq, wq, font_id, h_disp, rotation != 0.0, persp is not None, curve_frac != 0.0, plate is not None,
                outline, facts)

    # ------------------------------------------------------------------ one scene
    def make_sample(self, rng: np.random.Generator, *, debug: bool = False) -> Scene:
        """One scene from ``rng``; raises :class:`SampleRejected` when no block could be placed."""
        cfg = self.config
        H, W = self.height, self.width
        canvas, bg_id = self._background(rng, H, W, 3)
        if canvas.dtype != np.float32 or not canvas.flags.writeable or canvas.base is not None:
            canvas = np.array(canvas, np.float32)  # writable, owned
        n_distractors = int(rng.integers(cfg["distractors"][0], cfg["distractors"][1] + 1))
        for _ in range(n_distractors):
            k = int(np.searchsorted(self._distractor_cum, rng.random() * self._distractor_cum[-1], side="right"))
            draw_distractor(canvas, DISTRACTOR_KINDS[min(k, len(DISTRACTOR_KINDS) - 1)], rng, self.photos)
        grey = cv2.cvtColor(canvas, cv2.COLOR_RGB2GRAY)
        gh, gw = (H + _CELL - 1) // _CELL, (W + _CELL - 1) // _CELL
        small = cv2.resize(grey, (gw, gh), interpolation=cv2.INTER_AREA)
        energy = np.abs(cv2.Sobel(small, cv2.CV_32F, 1, 0, ksize=3)) + np.abs(cv2.Sobel(small, cv2.CV_32F, 0, 1, ksize=3))
        energy_ii = cv2.integral(energy, sdepth=cv2.CV_64F)
        occ = np.zeros((gh, gw), np.uint8)
        n_blocks = int(rng.integers(cfg["blocks"][0], cfg["blocks"][1] + 1))
        rejects: dict = {}
        words, cqs, wqs, wfonts, wblocks, heights, attributes = [], [], [], [], [], [], []
        counts = {"rotated_blocks": 0, "perspective_blocks": 0, "curved_blocks": 0, "plated_blocks": 0,
                  "outlined_blocks": 0, "distractors": n_distractors}
        dbg = {} if debug else None
        for _ in range(n_blocks):
            k = int(np.searchsorted(self._block_cum, rng.random() * self._block_cum[-1], side="right"))
            kind = BLOCK_KINDS[min(k, len(BLOCK_KINDS) - 1)]
            try:
                w, cq, wq, font_id, h, rot, per, cur, pla, outl, facts = self._make_block(kind, rng, occ, energy_ii,
                                                                                            canvas, dbg)
            except (SampleRejected, NoFontCoversText) as e:
                reason = e.reason if isinstance(e, SampleRejected) else "no_font_covers_text"
                rejects[reason] = rejects.get(reason, 0) + 1
                continue
            b = len(heights)
            words += w
            cqs.append(cq)
            wqs.append(wq)
            wfonts += [font_id] * len(w)
            wblocks += [b] * len(w)
            heights.append(h)
            counts["rotated_blocks"] += rot
            counts["perspective_blocks"] += per
            counts["curved_blocks"] += cur
            counts["plated_blocks"] += pla
            counts["outlined_blocks"] += outl
            attributes += [{**a, "block": b} for a in facts]
        if not heights:
            e = SampleRejected("no_block_placed", str(rejects))
            e.rejects = rejects
            raise e
        p = dict.fromkeys(SCENE_PARAM_FIELDS, 0.0)
        p.update(counts)
        char_quads = np.concatenate(cqs).astype(np.float32)
        word_quads = np.concatenate(wqs).astype(np.float32)
        p.update(blocks=len(heights), words=len(words), chars=len(char_quads), min_text_height=min(heights),
                 max_text_height=max(heights))

        out = canvas
        out = fx.brightness_contrast_blur(out, cfg, rng, p)
        if rng.random() < cfg["noise_prob"]:
            # luminance noise: one draw per pixel, shared by the channels (a sensor's grain)
            p["noise_sigma"] = rng.uniform(*cfg["noise_sigma"])
            out = out + self._noise(rng) * np.float32(p["noise_sigma"])
        # round and saturate to uint8 (values below 0 are cut first: convertScaleAbs takes |x|)
        img = cv2.convertScaleAbs(np.maximum(out, 0, out=out))
        if rng.random() < cfg["jpeg_prob"]:
            p["jpeg_quality"] = int(rng.integers(cfg["jpeg_quality"][0], cfg["jpeg_quality"][1] + 1))
            img = fx.jpeg_artifacts(img, p["jpeg_quality"])
        encoded = encode_image(img, cfg["image_codec"], cfg["storage_quality"])

        text = " ".join(words)
        region = affinity = None
        if cfg["maps"]:
            word_ids = np.repeat(np.arange(len(words), dtype=np.int32), [len(w) for w in words])
            r, a = craft_maps(char_quads, word_ids, H, W, scale=cfg["map_scale"])
            region = (r * 255 + 0.5).astype(np.uint8)
            affinity = (a * 255 + 0.5).astype(np.uint8)
        return Scene(img, text, char_quads, word_quads, np.array(wfonts, np.int16), np.array(wblocks, np.int16), bg_id, p,
                     encoded, region, affinity, rejects, dbg or {}, lossy=cfg["image_codec"] == "jpeg",
                     attributes=attributes)

    def _noise(self, rng) -> np.ndarray:
        """Unit Gaussian luminance noise ``[H, W, 1]``: a window of a fixed-seed bank at a random offset.

        Drawing 262,144 normals per 512x512 scene would cost more than the rest of the
        photometric effects together; a window of a twice-as-large bank is as good a grain.
        """
        H, W = self.height, self.width
        bank = getattr(self, "_noise_bank", None)
        if bank is None:
            g = np.random.Generator(np.random.PCG64(0x5EED_0015E))
            bank = self._noise_bank = g.standard_normal((2 * H, 2 * W, 1), dtype=np.float32)
        y, x = int(rng.integers(H + 1)), int(rng.integers(W + 1))
        return bank[y : y + H, x : x + W]


def _box_face(mag: float, rng) -> np.ndarray:
    """Corner displacements (fractions of the block size) of a flat face turned away about one axis."""
    d = np.zeros((4, 2))
    if rng.random() < 0.7:  # turned about a vertical axis: the far side shrinks
        far = (0, 3) if rng.random() < 0.5 else (1, 2)
        inward = 1.0 if far[0] == 0 else -1.0
        d[far[0]] = (inward * mag * 0.5, mag * 0.5)
        d[far[1]] = (inward * mag * 0.5, -mag * 0.5)
    else:  # turned about a horizontal axis: the top or bottom edge shrinks
        far = (0, 1) if rng.random() < 0.5 else (3, 2)
        down = 1.0 if far[0] == 0 else -1.0
        d[far[0]] = (mag * 0.5, down * mag * 0.5)
        d[far[1]] = (-mag * 0.5, down * mag * 0.5)
    return d + rng.uniform(-0.02, 0.02, (4, 2))


def _word_box(char_quads: np.ndarray) -> np.ndarray:
    """The word's quad: the box of its char quads along their mean top-edge direction.

    Straight text gives the axis-aligned box; curved text a box along the word's chord.
    """
    tang = char_quads[:, 1] - char_quads[:, 0]
    u = (tang / np.maximum(np.linalg.norm(tang, axis=1, keepdims=True), 1e-6)).sum(0)
    n = float(np.linalg.norm(u))
    u = u / n if n > 1e-6 else np.array([1.0, 0.0])
    if abs(u[1]) < 1e-6:
        u = np.array([1.0, 0.0])
    v = np.array([-u[1], u[0]])
    p = char_quads.reshape(-1, 2).astype(np.float64)
    a, b = p @ u, p @ v
    a0, a1, b0, b1 = a.min(), a.max(), b.min(), b.max()
    return np.array([a0 * u + b0 * v, a1 * u + b0 * v, a1 * u + b1 * v, a0 * u + b1 * v], np.float32)
