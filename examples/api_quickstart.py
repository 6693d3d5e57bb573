"""The Python API: make samples, write shards, read them back, draw a contact sheet.

Run: python examples/api_quickstart.py [OUT_DIR]
"""

import sys

import numpy as np

import synthgen

out = sys.argv[1] if len(sys.argv) > 1 else "demo-api"

# 1. One sample from an rng: image, label and per-character quads (clockwise from top-left).
gen = synthgen.WordGenerator({"color": True, "rotation_prob": 0.5})
s = gen.make_sample(np.random.default_rng(0), text="$4.99")
print(s.text, s.image.shape, s.char_quads.shape, gen.fonts.fonts[s.font].name)

# 2. Shards: deterministic for a seed, resumable, parallel.
result = synthgen.generate(out, 1000, seed=42, workers=2, shard_size=500, generator=gen)
print(result["text_report"])

# 3. Read a shard back.
shard = synthgen.read_shard(f"{out}/train-00000-of-00002.h5")
row = shard[0]
print(len(shard), row["text"], row["image"].shape, row["char_quads"].shape)

# 4. Look at it.
synthgen.save_contact_sheet([shard[i] for i in range(16)], f"{out}/sheet.png")
print(f"contact sheet: {out}/sheet.png")
