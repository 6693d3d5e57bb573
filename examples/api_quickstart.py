"""The Python API: make samples, write shards, read them back as a dataset, scenes and their maps, pictures.

Run: python examples/api_quickstart.py [OUT_DIR]
"""

import sys

import numpy as np

import ocrmodels
import synthgen

out = sys.argv[1] if len(sys.argv) > 1 else "demo-api"

# 1. One sample from an rng: image, label and per-character quads (clockwise from top-left).
gen = synthgen.WordGenerator({"color": True, "rotation_prob": 0.5})
s = gen.make_sample(np.random.default_rng(0), text="$4.99")
print(s.text, s.image.shape, s.char_quads.shape, gen.fonts.fonts[s.font].name)

# 2. Shards: deterministic for a seed, resumable, parallel.
# resume=True: a second run keeps the complete shards of the first (same settings) instead of refusing
result = synthgen.generate(out, 1000, seed=42, workers=2, shard_size=500, generator=gen, resume=True)
print(result["text_report"])

# 3. Read a shard back.
shard = synthgen.read_shard(f"{out}/train-00000-of-00002.h5")
row = shard[0]
print(len(shard), row["text"], row["image"].shape, row["char_quads"].shape)

# 4. Look at it.
synthgen.save_contact_sheet([shard[i] for i in range(16)], f"{out}/sheet.png")
print(f"contact sheet: {out}/sheet.png")

# 5. The whole folder as one dataset, and a Keras PyDataset over it (imports Keras here only).
ds = synthgen.open_dataset(out)
print(ds, ds[999]["text"])
train = ocrmodels.RecognitionDataset(ds, batch_size=64, seed=0, workers=2, use_multiprocessing=True)
x, y = train[0]
print("recognition batch:", x.shape, x.dtype, y.shape, y.dtype)

# 6. Scenes for detection, with CRAFT region and affinity maps, and their heatmap sheet.
synthgen.generate(f"{out}-scenes", 8, kind="scenes", seed=1, progress=False, resume=True)
scene = synthgen.read_shard(f"{out}-scenes/train-00000-of-00001.h5")[0]
print(len(scene["words"]), "words;", scene["region"].shape, "maps")
synthgen.save_contact_sheet([scene], f"{out}-scenes/heatmaps.png", cols=1, scale=1, heatmaps=True)
print(f"heatmap sheet: {out}-scenes/heatmaps.png")
