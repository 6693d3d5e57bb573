"""Read whole product images end to end with the bundled detector and recognizer: words, lines and attributes.

Run: python examples/read_product.py [IMAGE ...] [--out DIR]

Without images it reads a generated packaging-like scene. For each image it prints the lines read
and the product attributes found in them, and saves DIR/NAME.read.png: the word boxes with the text
read drawn on the image.
"""

import argparse
from pathlib import Path

import cv2

import ocrmodels
import synthgen

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("images", nargs="*", help="image files (PNG, JPEG, ...); none: a generated scene")
ap.add_argument("--out", default="read-demo", help="folder for the overlay pictures (default read-demo)")
args = ap.parse_args()

pictures = {}
if args.images:
    for f in args.images:
        img = ocrmodels.read_image(f)  # None for a missing or unreadable file
        if img is None:
            print(f"{f}: cannot be read as an image, skipped")
            continue
        pictures[Path(f).stem] = img
else:
    scene, _ = synthgen.SceneGenerator({"block_weights": [1, 1, 2], "text_size": [16.0, 48.0]}).sample_at(seed=2, index=0)
    pictures["scene"] = scene.image
    print("a generated scene; its words:", scene.text)

reader = ocrmodels.Reader()  # the bundled detector and recognizer
out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)
for (name, img), page in zip(pictures.items(), reader.read(list(pictures.values()))):
    print(f"\n{name}: {len(page['words'])} words")
    for line in page["lines"]:
        print("  ", line["text"])
    for kind, found in page["attributes"].items():
        for a in found:
            print(f"   {kind}: {a}")
    pic = ocrmodels.draw_overlay(img, page["words"], texts=[w["text"] for w in page["words"]])
    cv2.imwrite(str(out / f"{name}.read.png"), cv2.cvtColor(pic, cv2.COLOR_RGB2BGR))
    print("   overlay:", out / f"{name}.read.png")
