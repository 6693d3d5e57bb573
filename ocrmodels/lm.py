"""A character n-gram language model and CTC prefix beam search that uses it.

A recognizer without a language model reads each character on its own: in a bold web font
"o" and "0", "l", "I" and "1" look alike, and "Sh0p" costs it no more than "Shop".
:class:`CharLM` learns which characters follow which from plain text (the bundled English
word list and sample catalog, or your own product titles), and :func:`lm_beam_search_decode`
adds its log-probabilities to the CTC prefix beam search (Hannun et al., 2014). The model is
case-folded (``"SHOP"``, ``"Shop"`` and ``"shop"`` get the same score), so it never picks a
case; it only weighs one spelling against another.

Smoothing is interpolated Witten-Bell down to a uniform distribution, so unseen strings (SKU
codes, prices) keep a probability: the model prefers likely spellings, it does not forbid
others. Plain Python and NumPy: building the bundled model takes a few seconds, once per process.
"""

from __future__ import annotations

import functools
import math
import os
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

__all__ = ["CharLM", "ctc_text_probability", "lm_beam_search_decode"]

BOS = "\x02"  # start of a text (context padding)
EOS = "\x03"  # end of a text (the last symbol of the alphabet)
_EPS = 1e-8
_CACHE_LIMIT = 200_000


class CharLM:
    """Case-folded character n-gram model with interpolated Witten-Bell smoothing.

    Args:
        texts: training texts (words or titles; spaces are characters like any other).
        order: n-gram order (context of ``order - 1`` characters).
        alphabet: the characters it scores (folded to lower case); characters of ``texts``
            outside it are dropped. Default: the characters seen in ``texts``.
        weights: one count multiplier per text (default 1 each).
        floor: share of a uniform distribution mixed into every prediction, so no character
            costs more than ``log(floor / (len(alphabet) + 1))``.

    ``log_probs(context)`` gives natural-log probabilities over ``alphabet`` plus the end of
    the text (index ``len(alphabet)``), given the text so far.
    """

    def __init__(self, texts, *, order: int = 6, alphabet: str | None = None, weights=None, floor: float = 0.05):
        if int(order) < 1:
            raise ValueError(f"order must be at least 1. Received: order={order!r}")
        if not 0.0 <= float(floor) < 1.0:
            raise ValueError(f"floor must be in [0, 1). Received: floor={floor!r}")
        self.order = int(order)
        self.floor = float(floor)
        folded = [str(t).lower() for t in texts]
        weights = [1.0] * len(folded) if weights is None else [float(w) for w in weights]
        if len(weights) != len(folded) or any(w < 0 for w in weights):
            raise ValueError(f"weights needs one non-negative number per text. Received: {len(weights)} for {len(folded)} texts")
        if alphabet is None:
            alphabet = "".join(sorted({c for t in folded for c in t}))
        self.alphabet = "".join(dict.fromkeys(alphabet.lower()))
        if not self.alphabet or BOS in self.alphabet or EOS in self.alphabet:
            raise ValueError(f"alphabet must be non-empty printable text. Received: alphabet={alphabet!r}")
        self._index = {c: i for i, c in enumerate(self.alphabet)}
        self._index[EOS] = len(self.alphabet)
        n = self.order - 1
        counts: list = [defaultdict(Counter) for _ in range(self.order)]  # per context length
        used = 0
        for t, w in zip(folded, weights):
            t = "".join(c for c in t if c in self._index and c != EOS).strip()
            if not t or w == 0:
                continue
            used += 1
            s = BOS * n + t + EOS
            for i in range(n, len(s)):
                for k in range(self.order):
                    counts[k][s[i - k : i]][s[i]] += w
        if not used:
            raise ValueError("CharLM needs at least one text with a character of the alphabet. Received: no usable text.")
        self.num_texts = used
        size = len(self.alphabet) + 1
        # per context: (symbol ids, counts, total, distinct) as arrays
        self._tables = []
        for table in counts:
            out = {}
            for ctx, ctr in table.items():
                ids = np.fromiter((self._index[c] for c in ctr), np.int64, len(ctr))
                cnt = np.fromiter(ctr.values(), np.float64, len(ctr))
                out[ctx] = (ids, cnt, float(cnt.sum()), float(len(ctr)))
            self._tables.append(out)
        self._uniform = np.full(size, -np.log(size))
        self._cache: dict = {}

    # ------------------------------------------------------------------ building
    @classmethod
    def from_files(cls, paths, *, weights=None, column: str | None = None, **kwargs) -> CharLM:
        """Train on catalog files (``.txt`` one text per line, ``.csv``/``.jsonl`` with ``column``), as
        ``synthgen generate --catalog`` reads them; text is Unicode-normalised the same way.
        ``weights``: one count multiplier per file (default 1 each); other arguments as :class:`CharLM`."""
        from synthgen.text import load_catalog, normalize_text

        paths = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
        weights = [1.0] * len(paths) if weights is None else list(weights)
        if len(weights) != len(paths):
            raise ValueError(f"weights needs one number per file. Received: {len(weights)} for {len(paths)} files")
        texts, per_text = [], []
        for p, w in zip(paths, weights):
            got = [normalize_text(t) for t in load_catalog(p, column=column)]
            texts.extend(got)
            per_text.extend([w] * len(got))
        return cls(texts, weights=per_text, **kwargs)

    @classmethod
    def bundled(cls, alphabet: str | None = None) -> CharLM:
        """The model of synthgen's bundled English word list and sample catalog (built once per process)."""
        from synthgen.charset import DEFAULT_CHARSET

        return _bundled(alphabet if alphabet is not None else DEFAULT_CHARSET)

    # ------------------------------------------------------------------ scoring
    def log_probs(self, context: str) -> np.ndarray:
        """float64 ``[len(alphabet) + 1]``: log P(next symbol | context); the last entry is the end of the text."""
        ctx = (BOS * (self.order - 1) + context.lower())[len(context) :] if self.order > 1 else ""
        return self._dist(ctx)

    def _dist(self, ctx: str) -> np.ndarray:
        d = self._cache.get(ctx)
        if d is not None:
            return d
        lower = np.exp(self._dist(ctx[1:])) if ctx else np.exp(self._uniform)
        entry = self._tables[len(ctx)].get(ctx)
        if entry is None:
            p = lower
        else:
            ids, cnt, total, distinct = entry
            p = lower * distinct
            p[ids] += cnt
            p /= total + distinct
        d = np.log(p if len(ctx) < self.order - 1 or self.floor == 0 else (1 - self.floor) * p + self.floor / p.size)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[ctx] = d
        return d

    def score(self, text: str, *, end: bool = True) -> float:
        """Natural-log probability of ``text`` (characters outside the alphabet are skipped)."""
        total = 0.0
        seen = ""
        for c in text.lower():
            i = self._index.get(c)
            if i is None or c == EOS:
                continue
            total += float(self.log_probs(seen)[i])
            seen += c
        if end:
            total += float(self.log_probs(seen)[-1])
        return total

    def symbol_map(self, vocabulary: str) -> np.ndarray:
        """int ``[V]``: the alphabet index of each vocabulary character (folded), -1 where it has none."""
        return np.array([self._index.get(c.lower(), -1) if c.lower() != EOS else -1 for c in vocabulary], np.int64)


@functools.lru_cache(maxsize=4)
def _bundled(alphabet: str) -> CharLM:
    from synthgen.text import default_catalog_path

    data = Path(default_catalog_path()).parent
    return CharLM.from_files([data / "english-words.txt", data / "catalog.txt"], alphabet=alphabet)


def ctc_text_probability(probs: np.ndarray, ids) -> float:
    """P(label | one crop's outputs) summed over every CTC alignment: ``probs`` ``[T, V + 1]``, ``ids`` 1..V."""
    ids = [int(i) for i in ids]
    T = probs.shape[0]
    ext = [0]
    for i in ids:
        ext += [i, 0]
    S = len(ext)
    if S > 2 * T + 1:
        return 0.0
    lp = np.log(np.maximum(probs[:, ext], _EPS))
    alpha = np.full(S, -np.inf)
    alpha[0] = lp[0, 0]
    if S > 1:
        alpha[1] = lp[0, 1]
    skip = np.array([s >= 2 and ext[s] != 0 and ext[s] != ext[s - 2] for s in range(S)])
    for t in range(1, T):
        prev = alpha
        a = prev.copy()
        a[1:] = np.logaddexp(a[1:], prev[:-1])
        a[2:] = np.where(skip[2:], np.logaddexp(a[2:], prev[:-2]), a[2:])
        alpha = a + lp[t]
    tail = alpha[-1] if S == 1 else np.logaddexp(alpha[-1], alpha[-2])
    return float(np.exp(tail))


def lm_beam_search_decode(probs, vocabulary: str, lm: CharLM, *, beam_width: int = 10, lm_weight: float = 0.5,
                          insertion_bonus: float = 1.0, prune: float = 1e-3) -> list[tuple[str, float]]:
    """CTC prefix beam search with a character language model (shallow fusion).

    A prefix ``y`` scores ``log P_ctc(y | x) + lm_weight * log P_lm(y) + insertion_bonus * len(y)``,
    the end of the text included in ``P_lm`` when the search finishes.

    Args:
        probs: float ``[B, T, V + 1]`` per-step probabilities, blank at 0.
        vocabulary: characters of ids 1..V.
        lm: a :class:`CharLM`; vocabulary characters it has no symbol for get no LM term.
        beam_width: prefixes kept per step.
        lm_weight, insertion_bonus: the fusion weights (``lm_weight=0`` is plain prefix beam search).
        prune: a step's characters below this probability are not tried (the best one always is).

    Returns:
        ``(text, confidence)`` per crop; confidence is P(text | crop) over all its CTC alignments,
        without the language model, in 0..1.
    """
    from .ctc import _check_probs

    probs = _check_probs(probs, vocabulary)
    if int(beam_width) < 1:
        raise ValueError(f"beam_width must be at least 1. Received: beam_width={beam_width!r}")
    if lm_weight < 0:
        raise ValueError(f"lm_weight must be >= 0. Received: lm_weight={lm_weight!r}")
    sym = [-1] + lm.symbol_map(vocabulary).tolist()
    logp = np.log(np.maximum(probs, _EPS))
    out = []
    for b in range(len(probs)):
        ids = _search(logp[b], sym, lm, vocabulary, int(beam_width), float(lm_weight), float(insertion_bonus),
                      float(np.log(prune)))
        out.append(("".join(vocabulary[i - 1] for i in ids), ctc_text_probability(probs[b], ids)))
    return out


def _lae(a: float, b: float) -> float:
    """log(exp(a) + exp(b)) of two Python floats (math is several times faster than NumPy on scalars)."""
    if a < b:
        a, b = b, a
    return a if b == -math.inf else a + math.log1p(math.exp(b - a))


def _search(logp, sym, lm, vocabulary, beam_width, alpha, beta, log_prune):
    neg = -math.inf
    alphabet = lm.alphabet
    rows = logp.tolist()
    likely = logp[:, 1:] >= log_prune
    cands = [(np.flatnonzero(m) + 1).tolist() for m in likely]
    best_ids = (logp[:, 1:].argmax(1) + 1).tolist()
    # prefix (tuple of ids) -> [log P(blank-ending), log P(char-ending), LM + bonus score, LM text so far]
    beams = {(): [0.0, neg, 0.0, ""]}
    for t, row in enumerate(rows):
        cand = cands[t]
        if not cand and row[0] < -0.01:  # nothing likely besides blank: still follow the best character
            cand = [best_ids[t]]
        blank = row[0]
        nxt: dict = {}
        for prefix, (pb, pnb, ls, text) in beams.items():
            tot = _lae(pb, pnb)
            e = nxt.get(prefix)
            if e is None:
                nxt[prefix] = e = [neg, neg, ls, text]
            e[0] = _lae(e[0], tot + blank)
            last = prefix[-1] if prefix else None
            lp_ctx = None
            for c in cand:
                pc = row[c]
                if c == last:  # a repeat stays the same prefix; a new char needs a blank between
                    e[1] = _lae(e[1], pnb + pc)
                    base = pb + pc
                else:
                    base = tot + pc
                if base == neg:
                    continue
                np_ = prefix + (c,)
                f = nxt.get(np_)
                if f is None:
                    s = sym[c]
                    if s >= 0 and alpha > 0:
                        if lp_ctx is None:
                            lp_ctx = lm.log_probs(text)
                        nxt[np_] = f = [neg, neg, ls + alpha * float(lp_ctx[s]) + beta, text + alphabet[s]]
                    else:
                        nxt[np_] = f = [neg, neg, ls + beta, text]
                f[1] = _lae(f[1], base)
        if len(nxt) > beam_width:
            ranked = sorted(nxt.items(), key=lambda kv: _lae(kv[1][0], kv[1][1]) + kv[1][2], reverse=True)
            nxt = dict(ranked[:beam_width])
        beams = nxt
    best, best_score = (), neg
    for prefix, (pb, pnb, ls, text) in beams.items():
        s = _lae(pb, pnb) + ls + (alpha * float(lm.log_probs(text)[-1]) if alpha > 0 else 0.0)
        if s > best_score:
            best, best_score = prefix, s
    return best
