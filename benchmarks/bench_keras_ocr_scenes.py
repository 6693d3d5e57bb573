"""keras-ocr's scene generator on one core, for comparison with ``bench_scenes.py``.

keras-ocr is not a dependency: run this in a side virtual environment with keras-ocr's wheel
unpacked (its generator downloads fonts and backgrounds by default; here it is given the
bundled ``fonts/`` and ``backgrounds/``, so nothing is downloaded):

    python3 -m venv /tmp/kocr && /tmp/kocr/bin/pip install numpy opencv-python-headless "pillow<10" \\
        fonttools tqdm essential_generators validators typing_extensions shapely scipy
    /tmp/kocr/bin/pip download keras-ocr --no-deps -d /tmp/kocr/whl && unzip -o /tmp/kocr/whl/*.whl -d /tmp/kocr/src
    taskset -c 0 /tmp/kocr/bin/python benchmarks/bench_keras_ocr_scenes.py --keras-ocr /tmp/kocr/src --count 300

keras-ocr 0.9 calls ``ImageFont.getsize``, gone since Pillow 10, hence the older Pillow. Its
TensorFlow model code, imgaug and matplotlib are not needed for generation and are replaced by
empty modules. Scenes follow keras-ocr's end-to-end training example (text from
``essential_generators``, font size 60-120 px, margin 50, small X/Y and +-15 degree Z
rotations), at 512x512 like ``bench_scenes.py``; the CRAFT maps are computed with keras-ocr's
own ``detection.compute_maps``, as its detector's batch generator does.

Prints scenes/s without and with maps, and characters per scene.
"""

import argparse
import ast
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


def _import_keras_ocr(src: Path):
    any_attr = type("AnyAttr", (), {"__getattr__": lambda self, k: self, "__call__": lambda self, *a, **k: self})()
    _stub("imgaug", augmenters=any_attr, KeypointsOnImage=any_attr)
    _stub("matplotlib")
    _stub("matplotlib.pyplot")
    sys.path.insert(0, str(src))
    pkg = types.ModuleType("keras_ocr")  # the package without its __init__ (which loads TensorFlow)
    pkg.__path__ = [str(src / "keras_ocr")]
    sys.modules["keras_ocr"] = pkg
    import importlib

    dg = importlib.import_module("keras_ocr.data_generation")
    # detection.py imports TensorFlow at the top; take only its two NumPy/OpenCV functions
    tree = ast.parse((src / "keras_ocr" / "detection.py").read_text())
    keep = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in ("get_gaussian_heatmap", "compute_maps")]
    det = types.ModuleType("keras_ocr_maps")
    import cv2
    import numpy as np

    det.__dict__.update(cv2=cv2, np=np, tools=sys.modules["keras_ocr.tools"])
    exec(compile(ast.Module(body=keep, type_ignores=[]), "detection.py", "exec"), det.__dict__)
    return dg, det


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keras-ocr", required=True, type=Path, help="folder holding the unpacked keras_ocr package")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    import random

    import cv2
    import numpy as np

    cv2.setNumThreads(1)
    random.seed(a.seed)
    np.random.seed(a.seed)
    dg, det = _import_keras_ocr(a.keras_ocr)
    alphabet = "".join(sorted(set(dg.string.digits + dg.string.ascii_letters + "!?. ")))
    fonts = sorted(str(p) for p in (ROOT / "fonts").glob("*/*.[ot]tf"))
    fonts = [f for f in fonts if dg.font_supports_alphabet(f, alphabet)]
    backgrounds = sorted(str(p) for p in (ROOT / "backgrounds").glob("*.jpg"))
    text_generator = dg.get_text_generator(alphabet=alphabet)
    images = dg.get_image_generator(height=a.size, width=a.size, text_generator=text_generator,
                                    font_groups={alphabet: fonts}, backgrounds=backgrounds, font_size=(60, 120),
                                    margin=50, rotationX=(-0.05, 0.05), rotationY=(-0.05, 0.05), rotationZ=(-15, 15))
    heatmap = det.get_gaussian_heatmap(size=512, distanceRatio=1.5)
    print(f"keras-ocr generator: {len(fonts)} fonts, {len(backgrounds)} backgrounds, {a.size}x{a.size}")
    next(images)  # start-up (font loading) left out
    t_img = t_map = 0.0
    chars = 0
    for _ in range(a.count):
        t = time.perf_counter()
        image, lines = next(images)
        t1 = time.perf_counter()
        det.compute_maps(heatmap=heatmap, image_height=image.shape[0], image_width=image.shape[1], lines=lines)
        t_map += time.perf_counter() - t1
        t_img += t1 - t
        chars += sum(len(line) for line in lines)
    print(f"scenes/s, image and char boxes only: {a.count / t_img:.1f}")
    print(f"scenes/s, with CRAFT maps (keras-ocr compute_maps): {a.count / (t_img + t_map):.1f}")
    print(f"characters per scene: {chars / a.count:.1f}")


if __name__ == "__main__":
    main()
