import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_ships_every_bundled_font_background_and_weight(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0 and "No matching distribution" in r.stderr:
        pytest.skip("no build backend can be installed here")
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = tmp_path.glob("synthgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = {n.split(".data/data/share/synthgen/", 1)[1] for n in names if ".data/data/share/synthgen/" in n}
    for top in ("fonts", "backgrounds", "photos"):
        files = {p.relative_to(ROOT).as_posix() for p in (ROOT / top).rglob("*") if p.is_file()}
        assert files and files <= data, sorted(files - data)[:5]
    weights = {p.name for p in (ROOT / "ocrmodels" / "weights").iterdir()}
    assert {f"ocrmodels/weights/{w}" for w in weights} <= names


@pytest.mark.slow
def test_a_plain_install_gives_the_editable_install_s_bytes(tmp_path):
    """``pip install .`` (not editable) into a fresh venv: every font and background is found, and the
    same seed gives byte-identical word and scene shards as this (editable) checkout."""
    import site
    import sysconfig

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    purelib = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    # the dependencies come from this environment (no download); synthgen itself is installed plainly
    deps = [p for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]] if Path(p).is_dir()]
    (Path(purelib) / "deps.pth").write_text("\n".join(dict.fromkeys(deps)) + "\n")
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", str(ROOT)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    out = {}
    for name, python, cwd in (("plain", py, tmp_path), ("editable", Path(sys.executable), ROOT)):
        code = ("import synthgen, sys; from pathlib import Path; d = Path(sys.argv[1]);"
                "print(synthgen.__file__);"
                "synthgen.generate(d / 'w', 300, seed=5, shard_size=150, workers=1, progress=False);"
                "synthgen.generate(d / 's', 6, seed=5, kind='scenes', workers=1, progress=False)")
        res = subprocess.run([str(python), "-c", code, str(tmp_path / name)], cwd=cwd, capture_output=True,
                             text=True, timeout=600, env={**__import__("os").environ, "SYNTHGEN_CACHE": str(tmp_path / f"c-{name}")})
        assert res.returncode == 0, res.stderr[-2000:]
        out[name] = res.stdout
    assert str(ROOT) not in out["plain"], out["plain"]  # the plain install was the one imported
    files = sorted(p.relative_to(tmp_path / "plain") for p in (tmp_path / "plain").rglob("*.h5"))
    assert len(files) == 3
    for f in files:
        assert (tmp_path / "plain" / f).read_bytes() == (tmp_path / "editable" / f).read_bytes(), f
