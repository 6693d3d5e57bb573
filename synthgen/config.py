"""Generator options: one table of names, defaults, bounds and meanings; validation; YAML loading."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["OPTIONS", "Option", "resolve_config", "load_config_file", "config_reference_markdown"]


@dataclass(frozen=True)
class Option:
    name: str
    default: Any
    kind: str  # int, float, prob, range_int, range_float, choice, str, path, paths, bool, lengths
    help: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple = ()


O = Option
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
        O("phrase_prob", 0.0, "prob", "Probability of a short phrase instead of one word (needs ' ' in the charset)."),
        O("max_phrase_words", 3, "int", "Most words in a phrase.", 2, 8),
        # assets
        O("fonts", None, "paths", "Font folders; null = the bundled fonts/."),
        O("extra_fonts", [], "paths", "Font folders added to the fonts above."),
        O("backgrounds", None, "paths", "Background image folders; null = the bundled backgrounds/; [] = procedural only."),
        O("image_background_prob", 0.7, "prob", "Probability of an image background rather than a procedural one."),
        O("background_scale", [0.4, 2.5], "range_float", "Source pixels per output pixel when cropping an image background.", 0.05, 20),
        O("procedural_weights", [3, 3, 2, 1, 1], "weights", "Weights of the procedural kinds flat, gradient, noise, stripes, checker."),
        # output image
        O("height", 32, "int", "Crop height in pixels.", 8, 1024),
        O("width", 128, "int", "Crop width in pixels.", 8, 4096),
        O("color", False, "bool", "RGB crops; false = grayscale."),
        O("text_height", [0.55, 0.9], "range_float", "Text line height as a fraction of the crop height (before fitting the width).", 0.1, 1.0),
        O("align", [0.4, 0.3, 0.3], "weights", "Weights of horizontal placement: centred, left, random."),
        O("margin", [0.0, 0.06], "range_float", "Free border around the text, as a fraction of the crop height.", 0.0, 0.4),
        # font rendering
        O("render_scale", [0.85, 1.6], "range_float", "Rendered size over displayed size (>1 renders larger and shrinks, <1 magnifies).", 0.25, 4),
        O("min_font_size", 7, "int", "Smallest rendered font size in pixels.", 4, 200),
        O("max_font_size", 64, "int", "Largest rendered font size in pixels.", 4, 400),
        O("char_spacing", [-0.04, 0.2], "range_float", "Extra space between characters, as a fraction of the font size.", -0.3, 2.0),
        O("min_contrast", 3.0, "float", "Least luminance contrast ratio (WCAG) between text and the background under it.", 1.0, 15.0),
        O("stroke_prob", 0.1, "prob", "Probability of an outline around the text."),
        O("stroke_width", [1, 2], "range_int", "Outline width in rendered pixels.", 1, 8),
        O("shadow_prob", 0.1, "prob", "Probability of a drop shadow."),
        O("shadow_offset", [1.0, 2.5], "range_float", "Shadow offset in output pixels.", 0, 20),
        O("shadow_blur", [0.0, 1.5], "range_float", "Shadow blur sigma in output pixels.", 0, 10),
        O("shadow_opacity", [0.4, 0.9], "range_float", "Shadow opacity.", 0, 1),
        O("underline_prob", 0.04, "prob", "Probability of an underline (straight text only)."),
        # geometry
        O("rotation_prob", 0.4, "prob", "Probability of a rotation."),
        O("rotation", [-6.0, 6.0], "range_float", "Rotation angle in degrees.", -180, 180),
        O("shear_prob", 0.25, "prob", "Probability of a horizontal shear."),
        O("shear", [-0.35, 0.35], "range_float", "Shear factor (x += shear * y).", -2, 2),
        O("perspective_prob", 0.25, "prob", "Probability of a perspective warp."),
        O("perspective", [0.0, 0.12], "range_float", "Corner displacement as a fraction of the text box size.", 0, 0.4),
        O("curve_prob", 0.12, "prob", "Probability of a curved baseline (arc or wave)."),
        O("curve_amplitude", [0.1, 0.5], "range_float", "Baseline displacement as a fraction of the font size.", 0, 3),
        O("curve_arc_prob", 0.5, "prob", "Share of curved baselines that are arcs (the rest are waves)."),
        O("curve_wave_period", [0.6, 1.6], "range_float", "Wave period as a fraction of the text width.", 0.1, 10),
        # photometric
        O("brightness_contrast_prob", 0.4, "prob", "Probability of a brightness/contrast change."),
        O("brightness", [-35.0, 35.0], "range_float", "Brightness shift in grey levels.", -255, 255),
        O("contrast", [0.65, 1.3], "range_float", "Contrast factor around mid-grey.", 0.05, 5),
        O("blur_prob", 0.25, "prob", "Probability of a Gaussian blur."),
        O("blur_sigma", [0.3, 1.1], "range_float", "Blur sigma in output pixels.", 0.05, 10),
        O("downscale_prob", 0.15, "prob", "Probability of a downscale-upscale (low resolution look)."),
        O("downscale", [0.35, 0.8], "range_float", "Downscale factor.", 0.05, 1),
        O("noise_prob", 0.35, "prob", "Probability of Gaussian pixel noise."),
        O("noise_sigma", [2.0, 10.0], "range_float", "Noise sigma in grey levels.", 0, 100),
        O("jpeg_prob", 0.25, "prob", "Probability of strong JPEG artefacts."),
        O("jpeg_quality", [25, 70], "range_int", "JPEG quality of the artefact effect.", 1, 100),
        # storage
        O("image_codec", "jpeg", "choice", "How crops are stored: jpeg (small, the stored bytes are the sample), png (lossless), raw (uint8 array).",
          choices=("jpeg", "png", "raw")),
        O("storage_quality", 90, "int", "JPEG quality of the stored crop (image_codec: jpeg).", 50, 100),
        O("max_attempts", 20, "int", "Tries per sample before a run fails (each reject is counted).", 1, 1000),
    ]
}
del O


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


def resolve_config(overrides: dict | None = None) -> dict:
    """Defaults overlaid with ``overrides``, every value checked.

    Unknown keys and out-of-range values raise :class:`ValueError` naming the option.
    Relative paths are kept as given (resolved by the caller against the working folder).
    """
    overrides = dict(overrides or {})
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
        v = overrides.get(name, opt.default)
        cfg[name] = _check(opt, v)
    if cfg["min_length"] > cfg["max_length"]:
        raise ValueError(
            f"min_length must not exceed max_length. Received: min_length={cfg['min_length']}, max_length={cfg['max_length']}"
        )
    if cfg["min_font_size"] > cfg["max_font_size"]:
        raise ValueError(
            f"min_font_size must not exceed max_font_size. Received: min_font_size={cfg['min_font_size']}, "
            f"max_font_size={cfg['max_font_size']}"
        )
    lengths = cfg["length_distribution"]
    if isinstance(lengths, list) and len(lengths) != cfg["max_length"]:
        raise ValueError(
            f"length_distribution as a list needs max_length={cfg['max_length']} weights. Received: {len(lengths)} weights"
        )
    json.dumps(cfg)  # every resolved config is JSON, as written into shards
    return cfg


def load_config_file(path) -> dict:
    """Read a YAML (or JSON) file of generator options."""
    import yaml

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Config file not found: {str(path)!r}.")
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except yaml.YAMLError as e:
        raise ValueError(f"Config file {str(path)!r} is not valid YAML: {e}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"Config file {str(path)!r} must hold a mapping of option: value. Received: {type(data).__name__}")
    return data


def config_reference_markdown() -> str:
    """The options table, as printed in the README."""
    rows = ["| option | default | meaning |", "|---|---|---|"]
    for o in OPTIONS.values():
        d = json.dumps(o.default)
        if o.choices:
            d += " (" + " / ".join(o.choices) + ")"
        rows.append(f"| `{o.name}` | `{d}` | {o.help} |")
    return "\n".join(rows)
