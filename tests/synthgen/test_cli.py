import subprocess
import sys

import cv2
import pytest

from synthgen.cli import main as cli


def test_generate_inspect_preview(tmp_path, capsys):
    out = tmp_path / "ds"
    cfg = tmp_path / "c.yaml"
    cfg.write_text("color: true\nrotation_prob: 1.0\nrotation: [-20, 20]\n")
    cat = tmp_path / "cat.csv"
    cat.write_text("id,name\n1,Oat Milk 1L $2.99\n2,Caf\u00e9 Cr\u00e8me \u20ac3\n")
    rc = cli(["generate", "--out", str(out), "--count", "40", "--shard-size", "25", "--config", str(cfg),
              "--catalog", str(cat), "--catalog-column", "name", "--set", "width=160", "--no-progress"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "40 crops in 2 shard(s)" in text and "dropped" in text and "'€'x1" in text
    assert cli(["inspect", str(out)]) == 0
    text = capsys.readouterr().out
    assert "40 crops in 2 shard(s); 32x160 RGB (jpeg)" in text and "fonts used:" in text and "text length histogram" in text
    words = {"Oat", "Milk", "1L", "$2.99", "Caf", "Crme", "3"}
    assert cli(["inspect", str(out), "--json"]) == 0
    import json

    info = json.loads(capsys.readouterr().out)
    assert info["crops"] == 40 and set(info["lengths"]) <= {str(len(w)) for w in words}
    sheet = tmp_path / "sheet.png"
    assert cli(["preview", str(out), "--out", str(sheet), "--count", "12"]) == 0
    img = cv2.imread(str(sheet))
    assert img is not None and img.shape[0] > 96 * 3 and img.shape[1] >= 4 * 160 * 3


@pytest.mark.parametrize(
    "argv,msg",
    [
        (["--count", "0"], "must be at least 1"),
        (["--count", "5", "--workers", "-1"], "must be at least 1"),
        (["--count", "ten"], "expected a whole number"),
    ],
)
def test_bad_numbers_are_usage_errors(tmp_path, capsys, argv, msg):
    with pytest.raises(SystemExit) as e:
        cli(["generate", "--out", str(tmp_path / "x")] + argv)
    assert e.value.code == 2 and msg in capsys.readouterr().err


@pytest.mark.parametrize(
    "sets,msg",
    [
        (["rotaton_prob=0.5"], "Unknown config option(s): 'rotaton_prob' (did you mean 'rotation_prob'?)"),
        (["blur_prob=1.5"], "'blur_prob' must be between 0.0 and 1.0. Received: blur_prob=1.5"),
        (["rotation=[10, -10]"], "'rotation' must be a pair [low, high]"),
        (["min_length=9", "max_length=3"], "min_length must not exceed max_length"),
        (["phrase_prob=0.3"], "needs a space in the charset"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path, capsys, sets, msg):
    argv = ["generate", "--out", str(tmp_path / "x"), "--count", "5", "--no-progress"]
    for s in sets:
        argv += ["--set", s]
    assert cli(argv) == 2
    assert msg in capsys.readouterr().err
    assert not list((tmp_path / "x").glob("*.h5")) if (tmp_path / "x").exists() else True


def test_bad_files_are_clear_errors(tmp_path, capsys):
    base = ["generate", "--out", str(tmp_path / "x"), "--count", "5", "--no-progress"]
    assert cli(base + ["--catalog", str(tmp_path / "missing.txt")]) == 2
    assert "missing.txt" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert cli(base + ["--set", f"fonts=[{tmp_path / 'empty'}]"]) == 2
    assert "holds no .ttf" in capsys.readouterr().err
    (tmp_path / "bad.yaml").write_text("- just\n- a list\n")
    assert cli(base + ["--config", str(tmp_path / "bad.yaml")]) == 2
    assert "mapping" in capsys.readouterr().err
    assert cli(["verify", str(tmp_path / "nothing")]) == 2
    assert "No such dataset" in capsys.readouterr().err


def test_import_synthgen_does_not_import_tensorflow():
    code = "import sys, synthgen; synthgen.WordGenerator; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "False False"


def test_console_script_runs():
    r = subprocess.run([sys.executable, "-m", "synthgen.cli", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "generate" in r.stdout and "verify" in r.stdout


def test_version(capsys):
    from synthgen.cli import main

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.startswith("synthgen 0.")


def test_progress_in_a_log_is_lines_without_carriage_returns(tmp_path):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "synthgen.cli", "generate", "--out", str(tmp_path / "o"), "--count", "30",
                        "--shard-size", "10"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "\r" not in r.stderr and "generate: 100%" in r.stderr


def test_preview_out_must_be_a_picture_file(tmp_path, capsys):
    from synthgen.cli import main

    assert main(["generate", "--out", str(tmp_path / "d"), "--count", "4", "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["preview", str(tmp_path / "d"), "--out", str(tmp_path / "d")]) == 2
    assert "is a folder; pass a picture file name" in capsys.readouterr().err
    assert main(["preview", str(tmp_path / "d"), "--out", str(tmp_path / "sheet.txt")]) == 2
    assert "must end in .png" in capsys.readouterr().err
