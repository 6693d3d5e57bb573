from pathlib import Path

import numpy as np
import pytest

from synthgen.charset import DEFAULT_CHARSET
from synthgen.config import OPTIONS, config_reference_markdown, load_config_file, resolve_config


def test_defaults_resolve_and_overrides_apply():
    cfg = resolve_config()
    assert set(cfg) == {k for k, o in OPTIONS.items() if "words" in o.kinds} and cfg["height"] == 32 and cfg["width"] == 128
    assert resolve_config({"rotation": [-3, 3]})["rotation"] == [-3.0, 3.0]
    sc = resolve_config({"canvas_width": 640}, kind="scenes")
    assert sc["canvas_width"] == 640 and sc["canvas_height"] == 512 and "height" not in sc and "min_contrast" in sc


def test_options_of_the_other_kind_are_refused():
    with pytest.raises(ValueError, match="'canvas_width' apply to scenes only"):
        resolve_config({"canvas_width": 640})
    with pytest.raises(ValueError, match="'rotation' apply to words only"):
        resolve_config({"rotation": [-3, 3]}, kind="scenes")
    with pytest.raises(ValueError, match="kind must be one of"):
        resolve_config(kind="pages")


@pytest.mark.parametrize(
    "over,msg",
    [
        ({"heigth": 10}, "did you mean 'height'"),
        ({"height": 0}, "'height' must be between 8 and 1024"),
        ({"height": 3.5}, "must be an integer"),
        ({"color": "yes"}, "true or false"),
        ({"image_codec": "webp"}, "one of ['jpeg', 'png', 'raw']"),
        ({"align": [1, 1]}, "a list of 3 non-negative weights"),
        ({"stroke_width": [1.5, 2]}, "a pair of integers"),
        ({"min_font_size": 50, "max_font_size": 10}, "min_font_size must not exceed"),
        ({"length_distribution": [1] * 10}, "needs max_length=25 weights"),
        ({"blocks": [3, 1]}, "'blocks' must be a pair [low, high]"),
        ({"unlabelled_chars": "£E"}, "'E' is in the vocabulary"),
        ({"unlabelled_chars": "£ "}, "is a space"),
        ({"unlabelled_chars": "££"}, "must not repeat"),
        ({"unlabelled_chars": "™"}, "never reaches the renderer"),
    ],
)
def test_bad_values_name_the_option(over, msg):
    with pytest.raises(ValueError, match=None) as e:
        resolve_config(over, kind="scenes" if "blocks" in over else "words")
    assert msg in str(e.value)


def test_readme_lists_every_option():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert config_reference_markdown() in readme


def test_yaml_files(tmp_path):
    (tmp_path / "a.yaml").write_text("color: true\nrotation: [-2, 2]\n")
    assert load_config_file(tmp_path / "a.yaml") == {"color": True, "rotation": [-2, 2]}
    (tmp_path / "b.yaml").write_text("color: [\n")
    with pytest.raises(ValueError, match="not valid YAML"):
        load_config_file(tmp_path / "b.yaml")
    (tmp_path / "c.yaml").write_text("")
    assert load_config_file(tmp_path / "c.yaml") == {}


def test_recipe_configs_are_valid():
    recipes = sorted((Path(__file__).resolve().parents[2] / "recipes").glob("*.yaml"))
    assert len(recipes) >= 4
    for path in recipes:
        cfg = resolve_config(load_config_file(path), kind="words")
        assert cfg["tight_crop_prob"] > 0 or cfg["small_render_prob"] > 0, path.name  # laid out as a reader lays words out


RECIPES = Path(__file__).resolve().parents[2] / "recipes"


def _recipe_module(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, RECIPES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_recipe_symbol_words_use_only_the_stage_config_signs():
    mod = _recipe_module("symbol_words")
    words = mod.symbol_words(500, 0)
    assert words == mod.symbol_words(500, 0) and words != mod.symbol_words(500, 1)
    signs = load_config_file(RECIPES / "recognizer-symbols-small.yaml")["unlabelled_chars"]
    vocab = set(resolve_config({}, kind="words")["charset"] or DEFAULT_CHARSET)
    for w in words:
        outside = {c for c in w if c not in vocab}
        assert outside <= set(signs) and (outside or w.startswith("$")), w
    assert set("".join(words)) >= set(signs)  # every sign is drawn somewhere


def test_recipe_short_words_are_short_vocabulary_words_of_each_kind():
    mod = _recipe_module("short_words")
    words = mod.short_words(3000, 0)
    assert words == mod.short_words(3000, 0) and words != mod.short_words(3000, 1)
    vocab = set(DEFAULT_CHARSET) - {" "}
    assert all(1 <= len(w) <= 4 and set(w) <= vocab for w in words)
    lengths = np.bincount([len(w) for w in words], minlength=5)
    assert lengths[1] > 800 and lengths[2] > 800 and lengths[3] + lengths[4] > 400
    singles = {w for w in words if len(w) == 1}
    assert singles >= set("0123456789") and len(singles & set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")) > 45
    only = mod.short_words(3000, 0, words_only=True)  # English words of two to four letters, nothing else
    assert all(2 <= len(w) <= 4 and w.isalpha() for w in only) and len(set(only)) > 800
    assert {"to", "so", "of", "is"} & set(only) and only == mod.short_words(3000, 0, words_only=True)


@pytest.mark.parametrize("text, match", [
    ("1: 2\n", "option names must be text.*key 1"),
    ("true: 1\n", "option names must be text.*key True"),
    ('a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\nd: [*c,*c]\n', "anchors"),
    ("blur_prob: *nothing\n", "aliases|not valid YAML"),
    ("x: " + "[" * 200 + "]" * 200 + "\n", "nest"),
    ("x: [1, 2\n", "not valid YAML"),
    ("!!python/object:os.system {}\n", "not valid YAML"),
])
def test_bad_config_files_get_clear_errors(tmp_path, text, match):
    from synthgen.config import load_config_file

    p = tmp_path / "c.yaml"
    p.write_text(text)
    with pytest.raises(ValueError, match=match) as e:
        load_config_file(p)
    assert "c.yaml" in str(e.value)


def test_undecodable_config_and_set_values_name_their_source(tmp_path, capsys):
    from synthgen.cli import main as cli
    from synthgen.config import load_config_file

    p = tmp_path / "latin1.yaml"
    p.write_bytes("color: true # caf\xe9\n".encode("latin-1"))
    with pytest.raises(ValueError, match="latin1.yaml.*not UTF-8"):
        load_config_file(p)
    assert cli(["generate", "--out", str(tmp_path / "o"), "--count", "1", "--set", "rotation=[*a]", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--set 'rotation=[*a]'" in err and not (tmp_path / "o" / "synthgen.json").exists()
