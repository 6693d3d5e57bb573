#!/usr/bin/env bash
# The bundled detector (ocrmodels/weights/craft_small.keras), from nothing but synthgen scenes:
#   bash recipes/detector.sh [WORK_DIR]       (run from the repository root of a git clone; CPU is enough)
# Stage 1: 20,000 512x512 scenes of text blocks on textures (titles, brands and info lines, 8-64 px lines, rotated,
# vertical, perspective and curved blocks), 500 validation scenes from another seed; the small CRAFT (VGG16-BN layout
# at a quarter of the widths, 1.45M parameters) trained on random 256x256 crops of scenes rescaled by 0.6-2.0x,
# 8 epochs of 1,000 batches of 8, Adam 1e-3 with warm-up and cosine decay (about 50 minutes on 2 cores).
# Stage 2: the same model fine-tuned on 20,000 scenes that also hold non-text content (shapes, photo cut-outs, stripes,
# barcodes, icons, scribbles, plates behind blocks, outlined lettering), 3 epochs of 1,000 batches, Adam 3e-4.
# Stage 3: 5 more epochs on the same scenes, Adam 3e-4, with the ground-truth maps of map version 2 (small char
# quads grown so that punctuation links its word; the trainer builds the maps from the quads).
# Stage 4: 4 more epochs on those 20,000 scenes and 10,000 new default scenes, Adam 2e-4 (about 40 minutes).
# Each stage keeps the epoch with the lowest validation loss. Re-running continues where it stopped.
# The scenes are made by the synthgen versions the bundled weights were trained on (commits 13f8ba6, c4c4ae6 and
# d526bd2, checked out beside the work folder with `git worktree`), so the data are the same bytes. The bundled
# stages 1 and 2 were trained on maps of version 1 (the quads as they are); a re-run trains every stage on the
# current maps.
set -euo pipefail
mkdir -p "${1:-detector-run}"
W=$(cd "${1:-detector-run}" && pwd)
BIN=$(cd "${BIN:-.venv/bin}" && pwd)
gen() {  # commit name count seed split
  local src="$W/synthgen-$1"
  [ -e "$src" ] || git worktree add --detach "$src" "$1"
  # run inside the checkout, so that its synthgen is the one imported
  (cd "$src" && "$BIN/python" -m synthgen.cli generate --kind scenes --out "$W/$2" --count "$3" --seed "$4" \
    --split "$5" --workers 2 --no-progress $([ -e "$W/$2" ] && echo --resume))
}
gen 13f8ba6 scenes-train 20000 1 train
gen 13f8ba6 scenes-val 500 2 val
gen c4c4ae6 rich-train 20000 11 train
gen c4c4ae6 rich-val 500 12 val
gen d526bd2 rich-train2 10000 15 train
"$BIN/ocrmodels" train-detector --data "$W/scenes-train" --val "$W/scenes-val" --out "$W/stage1.keras" \
  --model-size small --size 256 --batch-size 8 --epochs 8 --steps-per-epoch 1000 --scale 0.6 2.0 --lr 1e-3 --seed 0 \
  --workers 2 $([ -e "$W/stage1.train/state.json" ] && echo --resume)
"$BIN/ocrmodels" train-detector --data "$W/rich-train" --val "$W/rich-val" --out "$W/stage2.keras" \
  --init "$W/stage1.keras" --size 256 --batch-size 8 --epochs 3 --steps-per-epoch 1000 --scale 0.6 2.0 --lr 3e-4 \
  --seed 1 --workers 2 $([ -e "$W/stage2.train/state.json" ] && echo --resume)
"$BIN/ocrmodels" train-detector --data "$W/rich-train" --val "$W/rich-val" --out "$W/stage3.keras" \
  --init "$W/stage2.keras" --size 256 --batch-size 8 --epochs 5 --steps-per-epoch 1000 --scale 0.6 2.0 --lr 3e-4 \
  --seed 2 --workers 2 $([ -e "$W/stage3.train/state.json" ] && echo --resume)
"$BIN/ocrmodels" train-detector --data "$W/rich-train" "$W/rich-train2" --val "$W/rich-val" --out "$W/craft_small.keras" \
  --init "$W/stage3.keras" --size 256 --batch-size 8 --epochs 4 --steps-per-epoch 1000 --scale 0.6 2.0 --lr 2e-4 \
  --seed 3 --workers 2 $([ -e "$W/craft_small.train/state.json" ] && echo --resume)
cp "$W/craft_small.keras" ocrmodels/weights/craft_small.keras
