"""Short words, for the short-words stage of recipes/recognizer.sh.

    python recipes/short_words.py OUT.txt [--count 20000] [--seed 0] [--words-only]

One line a word: a third single characters (letters and digits, one in ten a sign such as ``&``,
``%`` or ``+``), a third two random letters or digits (sizes, grades, codes: ``XL``, ``B2``), a third
words of two to four letters from the bundled common-English list and the sample catalog. Product
images are full of such short tokens, and a recognizer that has mostly seen long words reads a
lone ``P`` or ``7`` as something longer or as punctuation. The stage's config re-cases the words.
``--words-only``: only English words of two to four letters (``TO``, ``so``, ``IS``, ``Of``): signs are full of
them, and a recognizer that has seen many short digit strings (sizes, prices) reads ``TO`` as ``10``.
"""

from __future__ import annotations

import argparse
import random
import string
from pathlib import Path

from synthgen.text import default_catalog_path, load_catalog

_ALNUM = string.ascii_letters + string.digits
_SIGNS = "&%+#$@?!-/*="


def short_words(count: int, seed: int, words_only: bool = False) -> list[str]:
    r = random.Random(seed)
    data = Path(default_catalog_path()).parent
    common = (data / "english-common.txt").read_text(encoding="utf-8").split()
    catalog = [w for t in load_catalog(default_catalog_path()) for w in t.split()]
    words = sorted({w for w in common + catalog if 2 <= len(w) <= 4 and all(c in _ALNUM + "'-.&" for c in w)})
    if words_only:
        english = sorted({w for w in common if 2 <= len(w) <= 4 and w.isalpha()})
        return [r.choice(english) for _ in range(count)]
    out = []
    for _ in range(count):
        k = r.random()
        if k < 1 / 3:
            out.append(r.choice(_SIGNS) if r.random() < 0.1 else r.choice(_ALNUM))
        elif k < 2 / 3:
            out.append(r.choice(_ALNUM) + r.choice(_ALNUM))
        else:
            out.append(r.choice(words))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--words-only", action="store_true", help="only English words of two to four letters")
    args = ap.parse_args(argv)
    Path(args.out).write_text("\n".join(short_words(args.count, args.seed, args.words_only)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
