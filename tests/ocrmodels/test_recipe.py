"""The bundled recognizer's recipe (recipes/recognizer.sh) takes hours to run: every set a stage trains on must
be generated before it with enough crops for the shards it names, and every stage must start from an earlier one."""

import math
import re
import shlex
from pathlib import Path

RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "recognizer.sh"
SHARD_SIZE = 10000
#: Stages trained in float32 whatever PRECISION says (as the bundled weights were made).
FLOAT32_STAGES = ("crnn_small_punct", "crnn_small_plate", "crnn_small_signs")


def _commands(text):
    """The recipe's commands, continuation lines joined, comments dropped."""
    lines = [ln for ln in text.replace("\\\n", " ").splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return [shlex.split(ln.split("  #")[0], comments=False) for ln in lines]


def _check(text):
    """(problems found) for a recipe text."""
    problems, sets, models = [], {}, set()
    assert re.search(r"--shard-size \"\$\{SHARD:-%d\}\"" % SHARD_SIZE, text)
    for cmd in _commands(text):
        env = {}
        while cmd and re.fullmatch(r"[A-Z_]+=\S*", cmd[0]):  # VAR=value before a call: for that call only
            key, value = cmd.pop(0).split("=", 1)
            env[key] = value
        if not cmd:  # an assignment
            continue
        if cmd[0] == "gen":
            name, count = cmd[1], int(cmd[2])
            if name in sets:
                problems.append(f"{name} generated twice")
            sets[name] = math.ceil(count / int(env.get("SHARD", SHARD_SIZE)))
        elif cmd[0] == "train":
            out, args = cmd[1], cmd[2:]
            for arg in args:
                m = re.fullmatch(r"\$W/([^/]+)(?:/train-([0-9\[\]\-]+)-of-(\d+)\.h5)?", arg)
                if not m:
                    if arg.startswith("$W/"):
                        problems.append(f"{out}: cannot read {arg}")
                    continue
                name = m.group(1)
                if name.endswith(".keras"):
                    if name[: -len(".keras")] not in models:
                        problems.append(f"{out}: starts from {name}, not trained before it")
                    continue
                if name not in sets:
                    problems.append(f"{out}: reads {name}, not generated before it")
                    continue
                if m.group(3):
                    total = int(m.group(3))
                    if total != sets[name]:
                        problems.append(f"{out}: {arg} names {total} shards, {name} has {sets[name]}")
                    digits = re.sub(r"\[(\d)-(\d)\]", lambda g: g.group(2), m.group(2))
                    digits = re.sub(r"\[(\d+)\]", lambda g: max(g.group(1)), digits)
                    if int(digits) >= total:
                        problems.append(f"{out}: {arg} is past the last shard")
            models.add(out)
    return problems, sets, models


def test_every_stage_reads_sets_and_shards_generated_before_it():
    problems, sets, models = _check(RECIPE.read_text())
    assert problems == []
    assert len(models) >= 8 and "crnn_small" in models  # stage 1 and the fine-tuning stages
    echo = re.findall(r'copy \$W/(\S+)\.keras to ocrmodels/weights/crnn_small\.keras', RECIPE.read_text())
    assert echo and echo[-1] in models


def test_the_check_catches_a_missing_set_a_wrong_shard_count_and_a_later_init():
    head = ('gen() { x; }\n"$BIN/synthgen" generate --shard-size "${SHARD:-10000}"\nX=\'a=1\'\ngen a-small 25000 1 train\n'
            'SHARD=5000 gen c-small 25000 2 train\n')
    ok = head + 'PRECISION= train m1 --data "$W/a-small/train-00002-of-00003.h5" "$W/c-small/train-00004-of-00005.h5"\n'
    assert _check(ok)[0] == []
    bad = head + ('train m1 --data "$W/b-small" "$W/a-small/train-0000[1-3]-of-00003.h5" '
                  '"$W/a-small/train-00000-of-00004.h5" --init "$W/m2.keras"\n')
    problems = _check(bad)[0]
    assert any("b-small, not generated" in p for p in problems)
    assert any("past the last shard" in p for p in problems)
    assert any("names 4 shards" in p for p in problems)
    assert any("m2.keras, not trained" in p for p in problems)


def test_the_recipe_trains_in_bfloat16_unless_precision_is_emptied_but_the_last_stages_in_float32(tmp_path):
    """Run the whole recipe with stub synthgen, ocrmodels and python that only log their arguments."""
    import os
    import subprocess

    log = tmp_path / "calls.log"
    for tool in ("synthgen", "ocrmodels", "python"):
        stub = tmp_path / tool
        stub.write_text(f'#!/usr/bin/env bash\necho "{tool} $*" >> "{log}"\n')
        stub.chmod(0o755)
    runs = {}
    base = {k: v for k, v in os.environ.items() if k != "PRECISION"}
    for label, extra in (("default", {}), ("float32", {"PRECISION": ""})):
        log.write_text("")
        env = {**base, "BIN": str(tmp_path), **extra}
        r = subprocess.run(["bash", str(RECIPE), str(tmp_path / "run")], cwd=RECIPE.parents[1], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        calls = log.read_text().splitlines()
        runs[label] = [ln for ln in calls if ln.startswith("ocrmodels train-recognizer")]
        gens = [ln.split() for ln in calls if ln.startswith("synthgen generate")]
        sizes = {g[g.index("--out") + 1].rsplit("/", 1)[1]: g[g.index("--shard-size") + 1] for g in gens}
        assert sizes["train-catalog"] == "10000" and sizes["cam12-catalog-camera"] == "5000"  # SHARD= for one call
        assert sizes["ink11-catalog-small"] == "10000"
    late = [ln for ln in runs["default"] if any(f"/{m}.keras" in ln for m in FLOAT32_STAGES)]
    assert len(late) == len(FLOAT32_STAGES)
    assert len(runs["default"]) >= 8 and len(runs["float32"]) == len(runs["default"])
    assert all(("--mixed-precision" in ln.split()) != (ln in late) for ln in runs["default"])
    assert not any("--mixed-precision" in ln.split() for ln in runs["float32"])
