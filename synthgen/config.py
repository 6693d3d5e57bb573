"""Generator options: one table of names, defaults, bounds and meanings; validation; YAML loading."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["KINDS", "OPTIONS", "Option", "resolve_config", "load_config_file", "config_reference_markdown", "safe_yaml"]


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    kind: str  # int, float, prob, range_int, range_float, choice, str, path, paths, bool, lengths
    help: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()
    kinds: tuple = ("words", "scenes")  # which generators read it


KINDS = ("words", "scenes")


O = Option
W = ("words",)
S = ("scenes",)
OPTIONS: dict[str, Option] = {
    o.name: o
    for o in [
        # text
        O("charset", None, "str", "Vocabulary as a string of characters; null = the default 92 characters."),
        O("oov_policy", "drop_char", "choice", "Text outside the vocabulary: drop the character, drop the word, or fail.",
          choices=("drop_char", "drop_word", "fail")),
        O("catalog", None, "path", "Catalog file (.txt, .csv, .jsonl); null = the bundled sample catalog."),
        O("catalog_column", None, "str", "CSV column or JSONL field with the text (default: title)."),
        O("min_length", 1, "int", "Shortest text, in characters.", 1, 25),
        O("max_length", 25, "int", "Longest text, in characters (the recognizer has 31 time steps).", 1, 25),
        O("length_distribution", "natural", "lengths",
          "How text lengths are drawn: natural (as in the catalog), uniform (each length equally), or a list of max_length weights."),
        O("word_weighting", "frequency", "choice", "Within a length: frequent words more often, or every distinct word equally.",
          choices=("frequency", "uniform")),
        O("phrase_prob", 0.0, "prob", "Probability of a short phrase instead of one word (needs ' ' in the charset).", kinds=W),
        O("max_phrase_words", 3, "int", "Most words in a phrase.", 2, 8, kinds=W),
        O("case_weights", [1, 0, 0, 0], "weights",
          "Weights of re-casing a word: as in the catalog, UPPER, lower, Capitalised.", kinds=W),
        O("unlabelled_chars", None, "str",
          "Characters outside the vocabulary (e.g. '£€®') drawn where the catalog has them but left out of the label and "
          "the character boxes, so a recognizer learns to skip them rather than misread them (£ as E); random strings "
          "(random_text_prob) draw from them too; null = none.",
          kinds=W),
        O("random_text_prob", 0.0, "prob",
          "Probability of a random string (characters drawn uniformly from the charset) instead of a catalog word, "
          "as long as a sampled catalog word.", kinds=W),
        O("punctuation_prob", 0.0, "prob",
          "Probability of attaching punctuation to a catalog word as signs and packaging write it: a trailing mark "
          "(SALE!, day; ratio.), a leading one (#1, \"Fresh) or a pair around it ((new), 'word'); marks outside the "
          "charset are not drawn.", kinds=W),
        O("apostrophe_prob", 0.0, "prob",
          "Probability of giving a catalog word an apostrophe as brand names write them: a possessive (Levi's, "
          "LEVI'S, Girls') three times in four, else an elided prefix (L'OREAL, O'Malley).", kinds=W),
        O("typographic_prob", 0.0, "prob",
          "Probability of drawing a word's apostrophes and quotes as typographic ones (\u2019, \u2018, \u201c, "
          "\u201d: Levi\u2019s, \u201cFresh\u201d), as signs and packaging print them; the label keeps the "
          "ASCII ' and \". Fonts without them are not picked for such a word.", kinds=W),
        # assets
        O("fonts", None, "paths", "Font folders; null = the bundled fonts/."),
        O("extra_fonts", [], "paths", "Font folders added to the fonts above."),
        O("backgrounds", None, "paths", "Background image folders; null = the bundled backgrounds/; [] = procedural only."),
        O("photo_background_prob", 0.0, "prob", "Probability of a photograph (cut from the ``photos`` folders) as the "
          "background instead of the above.", kinds=W),
        O("image_background_prob", 0.7, "prob", "Probability of an image background rather than a procedural one."),
        O("background_scale", [0.4, 2.5], "range_float", "Source pixels per output pixel when cropping an image background.", 0.05, 20),
        O("procedural_weights", [3, 3, 2, 1, 1], "weights", "Weights of the procedural kinds flat, gradient, noise, stripes, checker."),
        # output image
        O("height", 32, "int", "Crop height in pixels.", 8, 1024, kinds=W),
        O("width", 128, "int", "Crop width in pixels.", 8, 4096, kinds=W),
        O("color", False, "bool", "RGB crops; false = grayscale.", kinds=W),
        O("text_height", [0.55, 0.9], "range_float", "Text line height as a fraction of the crop height (before fitting the width).", 0.1, 1.0, kinds=W),
        O("align", [0.4, 0.3, 0.3], "weights", "Weights of horizontal placement: centred, left, random.", kinds=W),
        O("margin", [0.0, 0.06], "range_float", "Free border around the text, as a fraction of the crop height.", 0.0, 0.4, kinds=W),
        O("tight_crop_prob", 0.0, "prob",
          "Probability of re-laying the crop out as a reader feeds a recognizer a detected word: cut to the box "
          "around the ink (plus tight_crop_pad), scaled to tight_crop_height of the crop, centred on its border colour.", kinds=W),
        O("tight_crop_pad", [0.0, 0.12], "range_float",
          "Padding on each side of a tight cut, as a fraction of the ink height (negative: the cut clips the ink).", -0.2, 1.0, kinds=W),
        O("tight_crop_box", "quads", "choice",
          "What a tight cut (and its pad) is measured from: 'quads', the char quads (they hold about a pixel of "
          "background around the ink, so at small sizes a cut with pad 0 keeps a pixel of ground on every side), or "
          "'ink', the pixels the text (fill and outline) covers at least half as much as its most covered one, as annotators box words, "
          "or 'line', the text line (the font's ascent to descent, the pen's extent), as detectors and photo datasets box "
          "words: a lower-case word keeps the room of its missing ascenders and descenders.",
          choices=("quads", "ink", "line"), kinds=W),
        O("tight_crop_source_height", [6.0, 40.0], "range_float",
          "Ink height in pixels a tight cut is first shrunk to (drawn log-uniformly; never enlarged): small words in big "
          "images, enlarged by the layout.", 2.0, 1024.0, kinds=W),
        O("small_render_prob", 0.0, "prob",
          "Probability of rendering the text small (ink small_render_height px: hinted glyphs, pixel-aligned, effects at "
          "that size, as born-digital text is drawn) and laying it out as a tight cut; tight_crop_prob applies to the rest.",
          kinds=W),
        O("small_render_height", [7.0, 20.0], "range_float",
          "Ink height in pixels of a small render (drawn log-uniformly; the font size is chosen to give about this).",
          3.0, 200.0, kinds=W),
        O("tight_crop_height", 0.75, "float", "Height of a tight cut in the crop, as a fraction (ocrmodels.fit_crop uses 0.75).", 0.1, 1.0, kinds=W),
        # font rendering
        O("render_scale", [0.85, 1.6], "range_float", "Rendered size over displayed size (>1 renders larger and shrinks, <1 magnifies).", 0.25, 4, kinds=W),
        O("min_font_size", 7, "int", "Smallest rendered font size in pixels.", 4, 200, kinds=W),
        O("max_font_size", 64, "int", "Largest rendered font size in pixels.", 4, 400, kinds=W),
        O("char_spacing", [-0.04, 0.2], "range_float", "Extra space between characters, as a fraction of the font size.", -0.3, 2.0),
        O("min_contrast", 3.0, "float", "Least luminance contrast ratio (WCAG) between text and the background under it.", 1.0, 15.0),
        O("stroke_prob", 0.1, "prob", "Probability of an outline around the text.", kinds=W),
        O("stroke_width", [1, 2], "range_int", "Outline width in rendered pixels.", 1, 8, kinds=W),
        O("shadow_prob", 0.1, "prob", "Probability of a drop shadow."),
        O("shadow_offset", [1.0, 2.5], "range_float", "Shadow offset in output pixels.", 0, 20),
        O("shadow_blur", [0.0, 1.5], "range_float", "Shadow blur sigma in output pixels.", 0, 10),
        O("shadow_opacity", [0.4, 0.9], "range_float", "Shadow opacity.", 0, 1),
        O("underline_prob", 0.04, "prob", "Probability of an underline (straight text only).", kinds=W),
        # geometry
        O("rotation_prob", 0.4, "prob", "Probability of a rotation.", kinds=W),
        O("rotation", [-6.0, 6.0], "range_float", "Rotation angle in degrees.", -180, 180, kinds=W),
        O("shear_prob", 0.25, "prob", "Probability of a horizontal shear.", kinds=W),
        O("shear", [-0.35, 0.35], "range_float", "Shear factor (x += shear * y).", -2, 2, kinds=W),
        O("perspective_prob", 0.25, "prob", "Probability of a perspective warp.", kinds=W),
        O("perspective", [0.0, 0.12], "range_float", "Corner displacement as a fraction of the text box size.", 0, 0.4, kinds=W),
        O("curve_prob", 0.12, "prob", "Probability of a curved baseline (arc or wave).", kinds=W),
        O("curve_amplitude", [0.1, 0.5], "range_float", "Baseline displacement as a fraction of the font size.", 0, 3, kinds=W),
        O("curve_arc_prob", 0.5, "prob", "Share of curved baselines that are arcs (the rest are waves).", kinds=W),
        O("curve_wave_period", [0.6, 1.6], "range_float", "Wave period as a fraction of the text width.", 0.1, 10, kinds=W),
        # photometric
        # camera (word crops): all off by default
        O("cylinder_prob", 0.0, "prob", "Probability of text printed round a cylinder (a can, a bottle): glyphs narrow "
          "towards the ends as the surface turns away, and the baseline bends when seen from above or below.",
          kinds=W),
        O("cylinder_arc", [40.0, 150.0], "range_float", "Part of the cylinder's circumference the line covers, in "
          "degrees.", 1, 170, kinds=W),
        O("cylinder_elevation", [-25.0, 25.0], "range_float", "Viewing angle above (positive: the ends rise) or below the "
          "cylinder's middle, in degrees.", -60, 60, kinds=W),
        O("camera_tilt_prob", 0.0, "prob", "Probability of viewing the text's plane at an angle (out-of-plane rotation "
          "seen by a pinhole camera: the far side shrinks).", kinds=W),
        O("camera_tilt", [10.0, 50.0], "range_float", "Out-of-plane angle in degrees (about a random axis in the plane).",
          0, 80, kinds=W),
        O("camera_focal", [1.0, 4.0], "range_float", "Camera distance in text-box diagonals (near: strong perspective).",
          0.6, 100, kinds=W),
        O("context_prob", 0.0, "prob", "Probability of neighbouring text in the crop, as a detector's loose cut has it: "
          "words before or after on the same line, lines above or below, in the same font and geometry, shown within "
          "0.15-0.8 line heights of the word's box (unlabelled).", kinds=W),
        O("context_words", [1, 3], "range_int", "Neighbouring words or lines drawn when context is on.", 1, 6, kinds=W),
        O("word_plate_prob", 0.0, "prob", "Probability of a plate behind the word (a sign panel, a price tag, a label): "
          "a filled box, corners square to round, in a colour that stands out from the background, seen with the same "
          "geometry as the text; a loose cut shows its edges (scenes: plate_prob).", kinds=W),
        O("word_plate_pad", [0.05, 0.7], "range_float", "Plate margin round the word's box on each side, in line "
          "heights (drawn per side).", 0, 5, kinds=W),
        O("lettering_prob", 0.0, "prob", "Probability of sign lettering instead of a flat fill: the glyphs filled with a "
          "metallic or two-colour gradient, extruded into 3D block letters, bevelled, glowing like neon, or hollow (only "
          "their outline), as signs, posters and packaging draw display text.", kinds=W),
        O("lettering_weights", [1, 1, 1, 1, 1], "weights", "Weights of the lettering styles gradient, extrude, bevel, "
          "glow, hollow.", kinds=W),
        O("lettering_depth", [0.04, 0.14], "range_float", "Extrusion depth of 3D block letters, in line heights.", 0, 1,
          kinds=W),
        O("light_prob", 0.0, "prob", "Probability of uneven light: a gradient, a spot or a cast shadow.", kinds=W),
        O("light", [0.2, 0.7], "range_float", "How much darker the darkest part gets (fraction).", 0, 1, kinds=W),
        O("highlight_prob", 0.0, "prob", "Probability of a specular highlight (glare on glossy packaging).", kinds=W),
        O("highlight", [0.3, 0.85], "range_float", "Highlight strength at its centre (fraction of white).", 0, 1, kinds=W),
        O("motion_blur_prob", 0.0, "prob", "Probability of motion blur.", kinds=W),
        O("motion_blur", [1.5, 6.0], "range_float", "Motion blur length in output pixels.", 0.5, 50, kinds=W),
        O("defocus_prob", 0.0, "prob", "Probability of defocus blur (a disk).", kinds=W),
        O("defocus", [0.6, 2.0], "range_float", "Defocus radius in output pixels.", 0.1, 20, kinds=W),
        O("color_cast_prob", 0.0, "prob", "Probability of a colour cast (channel gains; colour crops only).", kinds=W),
        O("color_cast", [0.75, 1.25], "range_float", "Range of each channel's gain.", 0.1, 4, kinds=W),
        O("shot_noise_prob", 0.0, "prob", "Probability of signal-dependent sensor noise.", kinds=W),
        O("shot_noise", [0.3, 1.5], "range_float", "Noise level: standard deviation = level x sqrt(grey level).", 0, 10,
          kinds=W),
        O("brightness_contrast_prob", 0.4, "prob", "Probability of a brightness/contrast change."),
        O("brightness", [-35.0, 35.0], "range_float", "Brightness shift in grey levels.", -255, 255),
        O("contrast", [0.65, 1.3], "range_float", "Contrast factor around mid-grey.", 0.05, 5),
        O("blur_prob", 0.25, "prob", "Probability of a Gaussian blur."),
        O("blur_sigma", [0.3, 1.1], "range_float", "Blur sigma in output pixels.", 0.05, 10),
        O("downscale_prob", 0.15, "prob", "Probability of a downscale-upscale (low resolution look).", kinds=W),
        O("downscale", [0.35, 0.8], "range_float", "Downscale factor.", 0.05, 1, kinds=W),
        O("noise_prob", 0.35, "prob", "Probability of Gaussian pixel noise."),
        O("noise_sigma", [2.0, 10.0], "range_float", "Noise sigma in grey levels.", 0, 100),
        O("jpeg_prob", 0.25, "prob", "Probability of strong JPEG artefacts."),
        O("jpeg_quality", [25, 70], "range_int", "JPEG quality of the artefact effect.", 1, 100),
        O("min_legibility", 0.0, "float", "Least correlation, over the word's ink and a few pixels round it, between "
          "the finished crop (grey, after every effect) and the word's clean ink; a crop below it is rejected as "
          "illegible (blurred, drowned in noise or clutter). 0 = off.", 0.0, 1.0, kinds=W),
        # storage
        O("image_codec", "jpeg", "choice", "How crops are stored: jpeg (small, the stored bytes are the sample), png (lossless), raw (uint8 array).",
          choices=("jpeg", "png", "raw")),
        O("storage_quality", 90, "int", "JPEG quality of the stored crop (image_codec: jpeg).", 50, 100),
        O("max_attempts", 20, "int", "Tries per sample before a run fails (each reject is counted).", 1, 1000),
        # scenes
        O("canvas_height", 512, "int", "Scene height in pixels.", 64, 4096, kinds=S),
        O("canvas_width", 512, "int", "Scene width in pixels.", 64, 4096, kinds=S),
        O("blocks", [2, 7], "range_int", "Text blocks tried per scene (those that find no room are counted rejects).", 1, 64, kinds=S),
        O("block_weights", [3, 2, 3], "weights", "Weights of the block kinds: title lines, brand, info (quantity, price, date, lot).", kinds=S),
        O("text_size", [8.0, 64.0], "range_float", "Line height in canvas pixels, drawn log-uniformly (brands up to 1.8x).", 4, 1024, kinds=S),
        O("title_lines", [1, 3], "range_int", "Lines of a title block.", 1, 8, kinds=S),
        O("line_spacing", [1.0, 1.35], "range_float", "Distance between lines as a multiple of the font's line height.", 0.8, 3, kinds=S),
        O("block_rotation_prob", 0.25, "prob", "Probability of a rotated block.", kinds=S),
        O("block_rotation", [-25.0, 25.0], "range_float", "Block rotation in degrees.", -180, 180, kinds=S),
        O("vertical_prob", 0.03, "prob", "Probability of a block turned by 90 degrees (either way).", kinds=S),
        O("box_perspective_prob", 0.15, "prob", "Probability of a block on a box face seen at an angle (perspective).", kinds=S),
        O("box_perspective", [0.05, 0.25], "range_float", "How far the box face is turned: corner displacement as a fraction of the block size.", 0, 0.45, kinds=S),
        O("bottle_curve_prob", 0.12, "prob", "Probability of a block curved as on a bottle (an arc baseline per line).", kinds=S),
        O("bottle_curve", [0.03, 0.15], "range_float", "Arc depth (sagitta) as a fraction of the line width.", 0, 0.5, kinds=S),
        O("placement_tries", 16, "int", "Candidate positions per block; the free one on the smoothest background wins.", 1, 1000, kinds=S),
        O("block_gap", 0.3, "float", "Free space kept around a block, as a fraction of its line height.", 0, 4, kinds=S),
        O("distractors", [0, 4], "range_int",
          "Non-text objects drawn on a scene before its text (shapes, photo cut-outs, stripes, barcodes, icons, "
          "scribbles): what a detector must learn to leave alone; not labelled.", 0, 64, kinds=S),
        O("distractor_weights", [3, 3, 1, 1, 2, 2], "weights",
          "Weights of the distractor kinds: shape, photo, stripes, barcode, icon, scribble.", kinds=S),
        O("photos", None, "paths", "Photo folders for photo cut-outs and photo backgrounds; null = the bundled photos/ (CC0 and public domain); "
          "[] = none (shapes instead).", kinds=W + S),
        O("plate_prob", 0.15, "prob", "Probability of a block on a plate (a button, label or price tag: a filled box "
          "of another colour, corners square to round).", kinds=S),
        O("outline_prob", 0.08, "prob", "Probability of outlined display lettering (hollow half the time).", kinds=S),
        O("maps", True, "bool", "Store uint8 CRAFT region and affinity maps in scene shards.", kinds=S),
        O("map_scale", 0.5, "float", "Map resolution relative to the canvas (CRAFT: 0.5).", 0.125, 1, kinds=S),
    ]
}
del O, W, S


def _err(name, expected, value):
    return ValueError(f"Config option {name!r} must be {expected}. Received: {name}={value!r}")


def _check(opt: Option, v):
    n = opt.name
    k = opt.kind
    if v is None and opt.default is None:
        return None
    if k == "bool":
        if not isinstance(v, bool):
            raise _err(n, "true or false", v)
        return v
    if k in ("int", "float", "prob"):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or (k == "int" and not float(v).is_integer()):
            raise _err(n, "an integer" if k == "int" else "a number", v)
        lo, hi = (0.0, 1.0) if k == "prob" else (opt.lo, opt.hi)
        if not math.isfinite(v) or (lo is not None and v < lo) or (hi is not None and v > hi):
            raise _err(n, f"between {lo} and {hi}", v)
        return int(v) if k == "int" else float(v)
    if k in ("range_int", "range_float"):
        if not isinstance(v, (list, tuple)) or len(v) != 2 or any(isinstance(x, bool) or not isinstance(x, (int, float)) for x in v):
            raise _err(n, "a pair [low, high] of numbers", v)
        a, b = v
        if k == "range_int" and not (float(a).is_integer() and float(b).is_integer()):
            raise _err(n, "a pair of integers", v)
        if not (math.isfinite(a) and math.isfinite(b)) or a > b or a < opt.lo or b > opt.hi:
            raise _err(n, f"a pair [low, high] with {opt.lo} <= low <= high <= {opt.hi}", v)
        return [int(a), int(b)] if k == "range_int" else [float(a), float(b)]
    if k == "weights":
        if (not isinstance(v, (list, tuple)) or len(v) != len(opt.default)
                or any(isinstance(x, bool) or not isinstance(x, (int, float)) or x < 0 for x in v) or sum(v) <= 0):
            raise _err(n, f"a list of {len(opt.default)} non-negative weights with a positive sum", v)
        return [float(x) for x in v]
    if k == "choice":
        if v not in opt.choices:
            raise _err(n, f"one of {list(opt.choices)}", v)
        return v
    if k in ("str", "path"):
        if not isinstance(v, str) or not v:
            raise _err(n, "a non-empty string", v)
        return v
    if k == "paths":
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, (list, tuple)) or not all(isinstance(x, str) and x for x in v):
            raise _err(n, "a list of folder paths", v)
        return list(v)
    if k == "lengths":
        if isinstance(v, str):
            if v not in ("natural", "uniform"):
                raise _err(n, "'natural', 'uniform' or a list of weights", v)
            return v
        if not isinstance(v, (list, tuple)) or any(isinstance(x, bool) or not isinstance(x, (int, float)) or x < 0 for x in v):
            raise _err(n, "'natural', 'uniform' or a list of non-negative weights", v)
        return [float(x) for x in v]
    raise AssertionError(k)


def resolve_config(overrides: dict | None = None, kind: str = "words") -> dict:
    """Defaults overlaid with ``overrides``, every value checked, for the ``words`` or ``scenes`` generator.

    Unknown keys, options of the other kind and out-of-range values raise :class:`ValueError`
    naming the option. Relative paths are kept as given (resolved by the caller against the
    working folder).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}. Received: kind={kind!r}")
    overrides = dict(overrides or {})
    other = sorted(k for k in overrides if k in OPTIONS and kind not in OPTIONS[k].kinds)
    if other:
        raise ValueError(
            f"Config option(s) {', '.join(map(repr, other))} apply to {OPTIONS[other[0]].kinds[0]} only, not to {kind}. "
            "Remove them, or generate the other kind (CLI: --kind)."
        )
    unknown = sorted(set(overrides) - set(OPTIONS))
    if unknown:
        import difflib

        hints = []
        for u in unknown:
            close = difflib.get_close_matches(u, OPTIONS, n=1)
            hints.append(f"{u!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ValueError(f"Unknown config option(s): {', '.join(hints)}. Known options: {', '.join(OPTIONS)}.")
    cfg = {}
    for name, opt in OPTIONS.items():
        if kind in opt.kinds:
            cfg[name] = _check(opt, overrides.get(name, opt.default))
    if cfg["min_length"] > cfg["max_length"]:
        raise ValueError(
            f"min_length must not exceed max_length. Received: min_length={cfg['min_length']}, max_length={cfg['max_length']}"
        )
    if kind == "words" and cfg["min_font_size"] > cfg["max_font_size"]:
        raise ValueError(
            f"min_font_size must not exceed max_font_size. Received: min_font_size={cfg['min_font_size']}, "
            f"max_font_size={cfg['max_font_size']}"
        )
    if cfg.get("unlabelled_chars"):
        _check_unlabelled(cfg["unlabelled_chars"], cfg["charset"])
    lengths = cfg["length_distribution"]
    if isinstance(lengths, list) and len(lengths) != cfg["max_length"]:
        raise ValueError(
            f"length_distribution as a list needs max_length={cfg['max_length']} weights. Received: {len(lengths)} weights"
        )
    json.dumps(cfg)  # every resolved config is JSON, as written into shards
    return cfg


def _check_unlabelled(chars: str, charset: str | None) -> None:
    from .charset import DEFAULT_CHARSET, normalize_text

    vocab = DEFAULT_CHARSET if charset is None else charset
    for c in chars:
        if c.isspace() or c in vocab:
            raise ValueError(f"unlabelled_chars must hold characters outside the vocabulary (and no spaces); {c!r} is "
                             f"{'a space' if c.isspace() else 'in the vocabulary'}. Received: unlabelled_chars={chars!r}")
        if normalize_text(c) != c:
            raise ValueError(f"unlabelled_chars: {c!r} never reaches the renderer (catalog text is normalised to "
                             f"{normalize_text(c)!r}). Received: unlabelled_chars={chars!r}")
    if len(set(chars)) != len(chars):
        raise ValueError(f"unlabelled_chars must not repeat a character. Received: unlabelled_chars={chars!r}")


_MAX_DEPTH = 16
_MAX_CONFIG_BYTES = 1 << 20


def safe_yaml(text: str, where: str):
    """Parse YAML ``text`` as plain data: no tags, no anchors or aliases (an alias bomb cannot expand),
    at most 16 levels deep. Raises ``ValueError`` naming ``where`` for anything else."""
    import yaml

    class _Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                mark = self.peek_event().start_mark
                raise ValueError(f"{where}: YAML aliases (*name) are not supported (line {mark.line + 1}). Write the "
                                 "value out instead.")
            event = self.peek_event()
            if getattr(event, "anchor", None):
                raise ValueError(f"{where}: YAML anchors (&name) are not supported (line {event.start_mark.line + 1}).")
            self._depth = getattr(self, "_depth", 0) + 1
            try:
                if self._depth > _MAX_DEPTH:
                    raise ValueError(f"{where}: values nest more than {_MAX_DEPTH} levels deep (line "
                                     f"{event.start_mark.line + 1}); options take numbers, strings and short lists.")
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as e:
        raise ValueError(f"{where} is not valid YAML: {str(e)[:300]}") from None
    except RecursionError:
        raise ValueError(f"{where}: values nest too deep; options take numbers, strings and short lists.") from None


def load_config_file(path) -> dict:
    """Read a YAML (or JSON) file of generator options (a mapping of option names to values)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Config file not found: {str(path)!r}.")
    raw = path.read_bytes()
    if len(raw) > _MAX_CONFIG_BYTES:
        raise ValueError(f"Config file {str(path)!r} is {len(raw):,} bytes; a config is a short list of options "
                         "(at most 1 MiB). Check the path.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"Config file {str(path)!r} is not UTF-8 text (byte {e.start}). Save it as UTF-8 YAML.") from None
    data = safe_yaml(text, f"Config file {str(path)!r}")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"Config file {str(path)!r} must hold a mapping of option: value. Received: {type(data).__name__}")
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise ValueError(f"Config file {str(path)!r}: option names must be text. Received: key {bad[0]!r} "
                         f"({type(bad[0]).__name__}); quote it or fix the line.")
    return data


def config_reference_markdown() -> str:
    """The options table, as printed in the README."""
    rows = ["| option | default | for | meaning |", "|---|---|---|---|"]
    for o in OPTIONS.values():
        d = json.dumps(o.default)
        if o.choices:
            d += " (" + " / ".join(o.choices) + ")"
        rows.append(f"| `{o.name}` | `{d}` | {' + '.join(o.kinds)} | {o.help} |")
    return "\n".join(rows)
