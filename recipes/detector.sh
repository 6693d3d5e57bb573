#!/usr/bin/env bash
# The bundled detector (ocrmodels/weights/craft_small.keras), from nothing but synthgen scenes:
#   bash recipes/detector.sh [WORK_DIR]       (run from the repository root; CPU is enough)
# 20,000 512x512 scenes on the default scene config (text blocks of titles, brands and info lines,
# 8-64 px lines, rotated, vertical, perspective and curved blocks, CRAFT maps), 500 validation scenes
# from another seed, then the small CRAFT (VGG16-BN layout at a quarter of the widths, 1.45M parameters)
# trained on random 256x256 crops of randomly rescaled scenes (0.5-1.5x), 5 epochs of 400 batches of 8,
# Adam 1e-3 with warm-up and cosine decay; the epoch with the lowest validation loss is kept.
# Re-running continues where it stopped.
set -euo pipefail
W=${1:-detector-run}
BIN=${BIN:-.venv/bin}
gen() {  # name count seed split
  "$BIN/synthgen" generate --kind scenes --out "$W/$1" --count "$2" --seed "$3" --split "$4" --workers 2 \
    --no-progress $([ -e "$W/$1" ] && echo --resume)
}
gen scenes-train 20000 1 train
gen scenes-val 500 2 val
"$BIN/ocrmodels" train-detector --data "$W/scenes-train" --val "$W/scenes-val" --out "$W/craft_small.keras" \
  --model-size small --size 256 --batch-size 8 --epochs 5 --steps-per-epoch 400 --lr 1e-3 --seed 0 --workers 2 \
  $([ -e "$W/craft_small.train/state.json" ] && echo --resume)
cp "$W/craft_small.keras" ocrmodels/weights/craft_small.keras
