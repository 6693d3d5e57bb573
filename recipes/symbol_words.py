"""Words with signs outside the recognizer's vocabulary, for the symbols stage of recipes/recognizer.sh.

    python recipes/symbol_words.py OUT.txt [--count 20000] [--seed 0]

Prices with pound, euro, yen and cent signs before or after the amount, temperatures and angles
with a degree sign, brand names with a registered sign and years with a copyright sign; a fifth are
dollar prices (labelled: a sign at a word's start is not always one to skip). The brand names come from
the bundled sample catalog. Trained with ``unlabelled_chars`` set, the signs are drawn but left out
of the labels, so the recognizer learns to skip them instead of reading them as letters.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from synthgen.text import default_catalog_path, load_catalog


def _amount(r: random.Random, decimal: str) -> str:
    whole = str(int(10 ** r.uniform(0, 3.5)))
    if len(whole) > 3 and r.random() < 0.5:
        whole = whole[:-3] + ("," if decimal == "." else ".") + whole[-3:]
    return whole if r.random() < 0.2 else f"{whole}{decimal}{r.randrange(100):02d}"


def symbol_words(count: int, seed: int) -> list[str]:
    r = random.Random(seed)
    brands = sorted({t.split()[0] for t in load_catalog(default_catalog_path()) if re.fullmatch(r"[A-Za-z&'-]{2,14}", t.split()[0])})
    out = []
    for _ in range(count):
        k = r.random()
        if k < 0.2:
            out.append("$" + _amount(r, "."))
        elif k < 0.55:
            sign = r.choice("£€¥")
            dec = "," if sign == "€" and r.random() < 0.6 else "."
            out.append(sign + _amount(r, dec) if r.random() < 0.7 else _amount(r, dec) + sign)
        elif k < 0.62:
            out.append(f"{r.randrange(1, 100)}¢")
        elif k < 0.77:
            out.append(f"{r.randrange(-20, 250)}°" + r.choice(["", "C", "F", "C", "F"]))
        elif k < 0.93:
            b = r.choice(brands)
            out.append((b.upper() if r.random() < 0.3 else b) + "®")
        else:
            out.append("©" + str(r.randrange(1990, 2030)))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    Path(args.out).write_text("\n".join(symbol_words(args.count, args.seed)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
